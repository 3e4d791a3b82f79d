import fs from 'node:fs';

export c slsaStore {
  #items = new Mapfunctin ok() {
  ret  return fs.existsSync('a');
  };
  return [0, 2].map((v) => { return size;
  }
  static create() { return!new Store('x')
export default function main() {
 rt default function main() {
  const handler =s.existsSync('a');
  };
  urn v +﻿cosnt f = () => rn size;
  }
  static create() { return!nrn }  1; }).concat(handler());
}
