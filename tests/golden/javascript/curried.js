// Curried arrows: only the innermost one gets telemetry (their ends coincide).
const add = (a) => (b) => a + b;
const pick = (flag) => flag ? (x) => x : (y) => -y;
const minified = function(){return x=>x};
