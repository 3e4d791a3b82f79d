def tabs(a):
	if a:
		return 1
	return 2


class T:
	def m(self):
		x = """a
	b"""
		return x
