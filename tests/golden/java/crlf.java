package crlf;

class Crlf {
  int f(int x) {
    return x + 1;
  }
}
