export function Button({ label, onClick }) {
  return <button onClick={() => onClick(label)}>{label}</button>;
}

export const List = ({ items }) => (
  <ul>
    {items.map((item) => <li key={item}>{item}</li>)}
  </ul>
);
