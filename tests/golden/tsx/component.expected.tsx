import * as _telinject from "./telinject_runtime.cjs"; import React from 'react';

type Props = { items: string[]; onPick(item: string): void };

export function Picker({ items, onPick }: Props) { const _telinject_span = _telinject.enter("component.Picker", "function"); try {
  return (
    <ul>
      {items.map((item) => {/* telinject: expression body */ const _telinject_span = _telinject.enter("component.Picker.items.map callback", "function"); try { return (
        <li key={item} onClick={() => {/* telinject: expression body */ const _telinject_span = _telinject.enter("component.Picker.items.map callback.onClick", "function"); try { return onPick(item); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }}}>
          {item}
        </li>
      ); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }})}
    </ul>
  );
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export const Generic = <T,>(props: { value: T }) => {/* telinject: expression body */ const _telinject_span = _telinject.enter("component.Generic", "function"); try { return <span>{String(props.value)}</span>; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};

export default class Counter extends React.Component<{}, { n: number }> {
  state = { n: 0 };
  increment = () => { const _telinject_span = _telinject.enter("component.Counter.increment", "function"); try {
    this.setState({ n: this.state.n + 1 });
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };
  render() { const _telinject_span = _telinject.enter("component.Counter.render", "function"); try {
    return <button onClick={this.increment}>{this.state.n}</button>;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
}
