# encoding: utf-8
def bom_method(a) = a * 2
