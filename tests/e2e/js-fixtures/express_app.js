// An express app using lodash, driven by requests from the same process. Prints the answers
// (one line per request); the test compares them with and without telemetry.
'use strict';
const http = require('http');
const express = require('express');
const _ = require('lodash');

const app = express();
app.use(express.json());

function afterAwait(items) {
  return _.chunk(items, 2).map((pair) => _.sum(pair));
}

async function slowRoute(req, res) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  res.json({ sums: afterAwait([1, 2, 3, 4, 5]) });
}

function failingRoute() {
  throw new TypeError('route failed');
}

app.get('/slow', slowRoute);
app.get('/fail', failingRoute);
app.post('/echo', (req, res) => {
  res.json({ keys: _.sortBy(Object.keys(req.body)), grouped: _.groupBy([1.5, 2.5, 2.1], Math.floor) });
});
app.get('/user/:id', (req, res) => {
  res.send(`user ${_.upperFirst(req.params.id)}`);
});
app.use((err, req, res, next) => {
  res.status(500).json({ error: err.message, type: err.constructor.name });
});

function request(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve(`${method} ${path} ${res.statusCode} ${data}`));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const server = app.listen(0, async () => {
  const port = server.address().port;
  try {
    console.log(await request(port, 'GET', '/slow'));
    console.log(await request(port, 'GET', '/fail'));
    console.log(await request(port, 'POST', '/echo', { b: 1, a: 2 }));
    console.log(await request(port, 'GET', '/user/ada'));
    console.log(await request(port, 'GET', '/missing'));
    const debounced = _.debounce((x) => console.log('debounced', x), 5);
    debounced(1);
    debounced(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    console.log(_.template('hello <%= name %>')({ name: 'world' }));
  } finally {
    server.close();
  }
});
