import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { ConversationCaps } from '../conversationProperties.js';
import { openApiDocument } from '../openapi/document.js';

// GET /openapi.json, /docs rendering it with Swagger UI's files from the swagger-ui-dist package, and
// the console at /console: everything from this service, nothing from a CDN.

// The same relative place from src/http/routes (tsx, tests) and from dist/http/routes (npm start).
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export interface DocsDeps {
  caps: ConversationCaps;
  publicUrl: string;
}

export function docsRoutes(deps: DocsDeps): Router {
  const router = Router();
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  // Generated once: it depends only on the configuration.
  const document = JSON.stringify(openApiDocument({ caps: deps.caps, publicUrl: deps.publicUrl, version }));
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  // Ours first: its index.html starts Swagger UI from a script file (the page allows no inline script).
  router.use('/docs', express.static(path.join(ROOT, 'public/docs'), { index: 'index.html' }), express.static(swaggerUiDir, { index: false }));
  // The console: plain files, no build step.
  router.use('/console', express.static(path.join(ROOT, 'public/console'), { index: 'index.html' }));
  return router;
}
