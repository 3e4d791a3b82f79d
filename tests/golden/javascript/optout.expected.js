const _telinject = require("./telinject_runtime.cjs"); function kept() { const _telinject_span = _telinject.enter("optout.kept", "function"); try {
  return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

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

const alsoKept = () => {/* telinject: expression body */ const _telinject_span = _telinject.enter("optout.alsoKept", "function"); try { return 5; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};
