// import/export in a .js file (a source for a bundler): the import statement form is used.
import helper from './helper.js';

export function useHelper() {
  return helper();
}
