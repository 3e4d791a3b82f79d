function crlf(a) {
  return a;
}

const arrow = (b) => b;
