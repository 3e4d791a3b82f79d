import * as _telinject from "./telinject_runtime.cjs"; export function Button({ label, onClick }) { const _telinject_span = _telinject.enter("components.Button", "function"); try {
  return <button onClick={() => {/* telinject: expression body */ const _telinject_span = _telinject.enter("components.Button.onClick", "function"); try { return onClick(label); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }}}>{label}</button>;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export const List = ({ items }) => {/* telinject: expression body */ const _telinject_span = _telinject.enter("components.List", "function"); try { return (
  <ul>
    {items.map((item) => {/* telinject: expression body */ const _telinject_span = _telinject.enter("components.List.items.map callback", "function"); try { return <li key={item}>{item}</li>; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }})}
  </ul>
); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};
