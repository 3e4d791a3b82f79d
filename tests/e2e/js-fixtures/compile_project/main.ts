import { Circle, Square, largest } from './shapes';

const biggest = largest([new Circle(1), new Square(3)]);
export const summary = biggest ? `${biggest.kind}: ${biggest.area().toFixed(2)}` : 'none';
