#!/usr/bin/env node
'use strict';
process.exitCode = require('../lib/launch').launch('telinject-lsp');
