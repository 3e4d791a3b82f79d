import telinject_runtime as _telinject  # isort: skip
def tabs(a):
	with _telinject.span("tabs.tabs"):
		if a:
			return 1
		return 2


class T:
	def m(self):
		with _telinject.span("tabs.T.m"):
			x = """a
	b"""
			return x
