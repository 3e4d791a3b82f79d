const f = () => { return 1 }
function g() { if (x) { return } }