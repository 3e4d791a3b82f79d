function kept() {
  return 1;
}

// telinject: ignore
function ignoredAbove() {
  return 2;
}

function ignoredSameLine() { // telinject: ignore
  return 3;
}

// telinject: ignore
const ignoredArrow = () => {
  const inner = () => 4;
  return inner();
};

const alsoKept = () => 5;
