import * as _telinject from "./telinject_runtime.cjs"; // telinject
export function Button({ label, onClick }) { const _telinject_span = _telinject.enter("components.Button", "function"); try {
  return <button onClick={() => {const _telinject_span = _telinject.enter("components.Button.<anonymous>@2", "function"); try { return onClick(label); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }}}>{label}</button>;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export const List = ({ items }) => {const _telinject_span = _telinject.enter("components.List", "function"); try { return (
  <ul>
    {items.map((item) => {const _telinject_span = _telinject.enter("components.List.<anonymous>@7", "function"); try { return <li key={item}>{item}</li>; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }})}
  </ul>
); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};
