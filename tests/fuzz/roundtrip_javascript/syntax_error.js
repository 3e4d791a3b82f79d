function ok() {
  return 1;
}
function broken( {
  return 2;
}
const later = () => {
  return 3;
};
