import React from 'react';

type Props = { items: string[]; onPick(item: string): void };

export function Picker({ items, onPick }: Props) {
  return (
    <ul>
      {items.map((item) => (
        <li key={item} onClick={() => onPick(item)}>
          {item}
        </li>
      ))}
    </ul>
  );
}

export const Generic = <T,>(props: { value: T }) => <span>{String(props.value)}</span>;

export default class Counter extends React.Component<{}, { n: number }> {
  state = { n: 0 };
  increment = () => {
    this.setState({ n: this.state.n + 1 });
  };
  render() {
    return <button onClick={this.increment}>{this.state.n}</button>;
  }
}
