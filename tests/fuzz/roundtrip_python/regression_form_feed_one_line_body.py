def bom():
  return "été"

def  spaced ( ) :  x = 1 ; return x