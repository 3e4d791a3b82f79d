def two(a):
  if a:
    return 1
  return 2


class C:
  def m(self):
    return 3
