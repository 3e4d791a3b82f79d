import telinject_runtime as _telinject  # isort: skip
def two(a):
  with _telinject.span("two_space.two"):
    if a:
      return 1
    return 2


class C:
  def m(self):
    with _telinject.span("two_space.C.m"):
      return 3
