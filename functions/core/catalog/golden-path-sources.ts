/**
 * The golden path's application sources: a minimal service per language and framework that the
 * skeleton's Dockerfile builds as it is (health on /healthz and /readyz, Prometheus text on /metrics,
 * port 8080, clean shutdown on SIGTERM). Only the validated kebab-case name reaches a source file;
 * the free-text description never does.
 */
import { NODE_LOCKS } from './golden-path-locks.ts';

/** The golden path's languages (golden-path.ts FRAMEWORKS keys; kept here so the two modules do not import each other). */
type Language = 'typescript' | 'javascript' | 'python' | 'go' | 'java';

const PORT = 8080;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const METRICS_TS = (name: string) =>
  '`# HELP http_requests_total Requests served.\\n# TYPE http_requests_total counter\\nhttp_requests_total{service="' + name + '"} ${requests}\\n`';

function nodeSources(name: string, framework: string, typescript: boolean): Record<string, string> {
  const deps: Record<string, Record<string, string>> = {
    express: { express: '^4.21.2' },
    fastify: { fastify: '^5.2.0' },
    nestjs: { '@nestjs/common': '^10.4.15', '@nestjs/core': '^10.4.15', '@nestjs/platform-express': '^10.4.15', 'reflect-metadata': '^0.2.2', rxjs: '^7.8.1' },
  };
  const devDeps: Record<string, string> = typescript
    ? { typescript: '^5.7.2', '@types/node': '^22.10.0', ...(framework === 'express' ? { '@types/express': '^4.17.21' } : {}) }
    : {};
  // The tests use only Node's own runner (node --test) and fetch: no test framework to install.
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'commonjs',
    engines: { node: '>=22' },
    scripts: typescript
      ? {
          build: 'tsc -p tsconfig.json',
          start: 'node dist/main.js',
          test: 'tsc -p tsconfig.test.json && node --test build-test/test/health.test.js',
        }
      : { start: 'node src/main.js', test: 'node --test test/health.test.js' },
    dependencies: deps[framework],
    ...(typescript ? { devDependencies: devDeps } : {}),
  };
  const app = nodeApp(name, framework, typescript);
  const files: Record<string, string> = {
    'package.json': json(pkg),
    'package-lock.json': json(nodeLockfile(pkg, `${typescript ? 'typescript' : 'javascript'}-${framework}`)),
    '.gitignore': 'node_modules/\ndist/\nbuild-test/\n',
  };
  if (typescript) {
    const compilerOptions = {
      target: 'es2022',
      module: 'commonjs',
      moduleResolution: 'node10',
      outDir: 'dist',
      rootDir: 'src',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      ...(framework === 'nestjs' ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {}),
    };
    files['tsconfig.json'] = json({ compilerOptions, include: ['src'] });
    // The tests compile beside the app into build-test/, so dist/ (what the image ships) holds no test.
    files['tsconfig.test.json'] = json({ extends: './tsconfig.json', compilerOptions: { rootDir: '.', outDir: 'build-test' }, include: ['src', 'test'] });
    files['src/app.ts'] = app.app;
    files['src/main.ts'] = app.main;
    files['test/health.test.ts'] = app.test;
  } else {
    files['src/app.js'] = `'use strict';\n\n${app.app}`;
    files['src/main.js'] = `'use strict';\n\n${app.main}`;
    files['test/health.test.js'] = `'use strict';\n\n${app.test}`;
  }
  return files;
}

/** app (routes, no listening), main (listens on PORT, stops on SIGTERM), and a test that starts the app and asks /healthz. */
function nodeApp(name: string, framework: string, typescript: boolean): { app: string; main: string; test: string } {
  const metrics = METRICS_TS(name);
  const port = `const port = Number(process.env.PORT ?? ${PORT});`;
  const imports = (what: string, from: string) => (typescript ? `import ${what} from '${from}';` : `const ${what} = require('${from}');`);
  const exported = (decl: string) => (typescript ? `export ${decl}` : decl);
  const exportsLine = typescript ? [] : ['', 'module.exports = { createApp };'];
  let app: string[];
  let main: string[];
  let start: string[];
  if (framework === 'express') {
    app = [
      imports('express', 'express'),
      '',
      'let requests = 0;',
      '',
      exported('function createApp() {'),
      '  const app = express();',
      '  app.use((_req, _res, next) => {',
      '    requests++;',
      '    next();',
      '  });',
      "  app.get('/healthz', (_req, res) => {",
      "    res.json({ status: 'ok' });",
      '  });',
      "  app.get('/readyz', (_req, res) => {",
      "    res.json({ status: 'ready' });",
      '  });',
      "  app.get('/metrics', (_req, res) => {",
      `    res.type('text/plain').send(${metrics});`,
      '  });',
      "  app.get('/', (_req, res) => {",
      `    res.json({ service: '${name}' });`,
      '  });',
      '  return app;',
      '}',
      ...exportsLine,
    ];
    main = [
      typescript ? "import { createApp } from './app';" : "const { createApp } = require('./app');",
      '',
      port,
      "const server = createApp().listen(port, '0.0.0.0', () => console.log(`listening on ${port}`));",
      "process.on('SIGTERM', () => server.close(() => process.exit(0)));",
    ];
    start = [
      "  const server = createApp().listen(0, '127.0.0.1');",
      "  await once(server, 'listening');",
      `  const { port } = server.address()${typescript ? ' as AddressInfo' : ''};`,
      '  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((done) => server.close(done)) };',
    ];
  } else if (framework === 'fastify') {
    app = [
      typescript ? "import Fastify, { type FastifyServerOptions } from 'fastify';" : "const Fastify = require('fastify');",
      '',
      'let requests = 0;',
      '',
      exported(`function createApp(options${typescript ? ': FastifyServerOptions' : ''} = { logger: true }) {`),
      '  const app = Fastify(options);',
      "  app.addHook('onRequest', async () => {",
      '    requests++;',
      '  });',
      "  app.get('/healthz', async () => ({ status: 'ok' }));",
      "  app.get('/readyz', async () => ({ status: 'ready' }));",
      `  app.get('/metrics', async (_req, reply) => reply.type('text/plain').send(${metrics}));`,
      `  app.get('/', async () => ({ service: '${name}' }));`,
      '  return app;',
      '}',
      ...exportsLine,
    ];
    main = [
      typescript ? "import { createApp } from './app';" : "const { createApp } = require('./app');",
      '',
      port,
      'const app = createApp();',
      "app.listen({ port, host: '0.0.0.0' }).catch((err) => {",
      '  app.log.error(err);',
      '  process.exit(1);',
      '});',
      "process.on('SIGTERM', () => {",
      '  void app.close().then(() => process.exit(0));',
      '});',
    ];
    start = [
      '  const app = createApp({ logger: false });',
      "  const url = await app.listen({ port: 0, host: '127.0.0.1' });",
      '  return { url, stop: () => app.close() };',
    ];
  } else {
    app = [
      "import 'reflect-metadata';",
      "import { Controller, Get, Header, Module, type INestApplication, type NestApplicationOptions } from '@nestjs/common';",
      "import { NestFactory } from '@nestjs/core';",
      '',
      'let requests = 0;',
      '',
      '@Controller()',
      'class HealthController {',
      "  @Get('healthz')",
      '  healthz() {',
      '    requests++;',
      "    return { status: 'ok' };",
      '  }',
      '',
      "  @Get('readyz')",
      '  readyz() {',
      '    requests++;',
      "    return { status: 'ready' };",
      '  }',
      '',
      "  @Get('metrics')",
      "  @Header('Content-Type', 'text/plain')",
      '  metrics() {',
      `    return ${metrics};`,
      '  }',
      '}',
      '',
      '@Module({ controllers: [HealthController] })',
      'export class AppModule {}',
      '',
      'export async function createApp(options: NestApplicationOptions = {}): Promise<INestApplication> {',
      '  const app = await NestFactory.create(AppModule, options);',
      '  app.enableShutdownHooks();',
      '  return app;',
      '}',
    ];
    main = [
      "import { createApp } from './app';",
      '',
      port,
      '',
      'async function main() {',
      '  const app = await createApp();',
      "  await app.listen(port, '0.0.0.0');",
      '}',
      '',
      'void main();',
    ];
    start = [
      '  const app = await createApp({ logger: false });',
      "  await app.listen(0, '127.0.0.1');",
      '  return { url: await app.getUrl(), stop: () => app.close() };',
    ];
  }
  const test = [
    ...(typescript
      ? [
          "import assert from 'node:assert/strict';",
          ...(framework === 'express' ? ["import { once } from 'node:events';", "import type { AddressInfo } from 'node:net';"] : []),
          "import { after, before, test } from 'node:test';",
          "import { createApp } from '../src/app';",
        ]
      : [
          "const assert = require('node:assert/strict');",
          ...(framework === 'express' ? ["const { once } = require('node:events');"] : []),
          "const { after, before, test } = require('node:test');",
          "const { createApp } = require('../src/app');",
        ]),
    '',
    typescript ? 'async function start(): Promise<{ url: string; stop: () => Promise<unknown> }> {' : 'async function start() {',
    ...start,
    '}',
    '',
    typescript ? 'let service: Awaited<ReturnType<typeof start>>;' : 'let service;',
    'before(async () => {',
    '  service = await start();',
    '});',
    'after(() => service.stop());',
    '',
    "test('GET /healthz answers 200 with status ok', async () => {",
    '  const res = await fetch(`${service.url}/healthz`);',
    '  assert.equal(res.status, 200);',
    "  assert.deepEqual(await res.json(), { status: 'ok' });",
    '});',
    '',
    "test('GET /readyz answers 200', async () => {",
    '  assert.equal((await fetch(`${service.url}/readyz`)).status, 200);',
    '});',
    '',
    "test('GET /metrics counts requests in the Prometheus text format', async () => {",
    '  const res = await fetch(`${service.url}/metrics`);',
    '  assert.equal(res.status, 200);',
    `  assert.match(await res.text(), /^http_requests_total\\{service="${name}"\\} \\d+$/m);`,
    '});',
  ];
  return { app: `${app.join('\n')}\n`, main: `${main.join('\n')}\n`, test: `${test.join('\n')}\n` };
}

/** npm's lockfile v3 for this package.json: the root entry from it, the rest resolved once (golden-path-locks.ts). */
function nodeLockfile(
  pkg: { name: string; version: string; engines: Record<string, string>; dependencies: Record<string, string>; devDependencies?: Record<string, string> },
  key: string,
): Record<string, unknown> {
  const { name, version, engines, dependencies, devDependencies } = pkg;
  return {
    name,
    version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name, version, dependencies, ...(devDependencies ? { devDependencies } : {}), engines }, ...NODE_LOCKS[key] },
  };
}

function pythonSources(name: string, framework: string): Record<string, string> {
  const requirements: Record<string, string[]> = {
    fastapi: ['fastapi==0.115.6', 'uvicorn==0.34.0'],
    flask: ['flask==3.1.0', 'gunicorn==23.0.0'],
    django: ['django==5.1.4', 'gunicorn==23.0.0'],
  };
  const metrics = `f'# HELP http_requests_total Requests served.\\n# TYPE http_requests_total counter\\nhttp_requests_total{{service="${name}"}} {REQUESTS}\\n'`;
  const main: Record<string, string[]> = {
    fastapi: [
      'from fastapi import FastAPI, Request',
      'from fastapi.responses import PlainTextResponse',
      '',
      `app = FastAPI(title="${name}")`,
      'REQUESTS = 0',
      '',
      '',
      '@app.middleware("http")',
      'async def count(request: Request, call_next):',
      '    global REQUESTS',
      '    REQUESTS += 1',
      '    return await call_next(request)',
      '',
      '',
      '@app.get("/healthz")',
      'def healthz():',
      '    return {"status": "ok"}',
      '',
      '',
      '@app.get("/readyz")',
      'def readyz():',
      '    return {"status": "ready"}',
      '',
      '',
      '@app.get("/metrics", response_class=PlainTextResponse)',
      'def metrics():',
      `    return ${metrics}`,
    ],
    flask: [
      'from flask import Flask, Response, jsonify',
      '',
      'app = Flask(__name__)',
      'REQUESTS = 0',
      '',
      '',
      '@app.before_request',
      'def count():',
      '    global REQUESTS',
      '    REQUESTS += 1',
      '',
      '',
      '@app.get("/healthz")',
      'def healthz():',
      '    return jsonify(status="ok")',
      '',
      '',
      '@app.get("/readyz")',
      'def readyz():',
      '    return jsonify(status="ready")',
      '',
      '',
      '@app.get("/metrics")',
      'def metrics():',
      `    return Response(${metrics}, mimetype="text/plain")`,
    ],
    django: [
      'import os',
      '',
      'from django.conf import settings',
      'from django.core.wsgi import get_wsgi_application',
      'from django.http import HttpResponse, JsonResponse',
      'from django.urls import path',
      '',
      'settings.configure(',
      '    DEBUG=False,',
      '    ALLOWED_HOSTS=["*"],',
      '    ROOT_URLCONF=__name__,',
      '    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "set-DJANGO_SECRET_KEY-in-production"),',
      '    MIDDLEWARE=[],',
      ')',
      'REQUESTS = 0',
      '',
      '',
      'def healthz(request):',
      '    global REQUESTS',
      '    REQUESTS += 1',
      '    return JsonResponse({"status": "ok"})',
      '',
      '',
      'def readyz(request):',
      '    return JsonResponse({"status": "ready"})',
      '',
      '',
      'def metrics(request):',
      `    return HttpResponse(${metrics}, content_type="text/plain")`,
      '',
      '',
      'urlpatterns = [path("healthz", healthz), path("readyz", readyz), path("metrics", metrics)]',
      'app = get_wsgi_application()',
    ],
  };
  const client: Record<string, string[]> = {
    fastapi: [
      'from fastapi.testclient import TestClient',
      '',
      'from app.main import app',
      '',
      '',
      'def test_healthz():',
      '    assert TestClient(app).get("/healthz").json() == {"status": "ok"}',
    ],
    flask: ['from app.main import app', '', '', 'def test_healthz():', '    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}'],
    django: [
      'import json',
      '',
      'from django.test import Client',
      '',
      'import app.main  # noqa: F401 (configures Django)',
      '',
      '',
      'def test_healthz():',
      '    assert json.loads(Client().get("/healthz").content) == {"status": "ok"}',
    ],
  };
  return {
    'requirements.txt': `${requirements[framework].join('\n')}\n`,
    'requirements-dev.txt': ['pytest==8.3.4', ...(framework === 'fastapi' ? ['httpx==0.28.1'] : [])].join('\n') + '\n',
    'app/__init__.py': '',
    'app/main.py': `${main[framework].join('\n')}\n`,
    'tests/__init__.py': '',
    'tests/test_health.py': `${client[framework].join('\n')}\n`,
  };
}

function goSources(name: string, framework: string): Record<string, string> {
  const requires: Record<string, string> = {
    gin: 'github.com/gin-gonic/gin v1.10.0',
    echo: 'github.com/labstack/echo/v4 v4.13.3',
    chi: 'github.com/go-chi/chi/v5 v5.2.0',
  };
  const goMod = `module ${name}\n\ngo 1.23\n${requires[framework] ? `\nrequire ${requires[framework]}\n` : ''}`;
  const imports: Record<string, string[]> = {
    'net-http': [],
    gin: ['"github.com/gin-gonic/gin"'],
    echo: ['"github.com/labstack/echo/v4"'],
    chi: ['"github.com/go-chi/chi/v5"'],
  };
  const routes: Record<string, string[]> = {
    'net-http': [
      '\tmux := http.NewServeMux()',
      '\tmux.HandleFunc("GET /healthz", health("ok"))',
      '\tmux.HandleFunc("GET /readyz", health("ready"))',
      '\tmux.HandleFunc("GET /metrics", metrics)',
      '\tvar handler http.Handler = mux',
    ],
    gin: [
      '\tgin.SetMode(gin.ReleaseMode)',
      '\tr := gin.New()',
      '\tr.Use(gin.Recovery())',
      '\tr.GET("/healthz", gin.WrapF(health("ok")))',
      '\tr.GET("/readyz", gin.WrapF(health("ready")))',
      '\tr.GET("/metrics", gin.WrapF(metrics))',
      '\tvar handler http.Handler = r',
    ],
    echo: [
      '\te := echo.New()',
      '\te.HideBanner = true',
      '\te.GET("/healthz", echo.WrapHandler(health("ok")))',
      '\te.GET("/readyz", echo.WrapHandler(health("ready")))',
      '\te.GET("/metrics", echo.WrapHandler(http.HandlerFunc(metrics)))',
      '\tvar handler http.Handler = e',
    ],
    chi: [
      '\tr := chi.NewRouter()',
      '\tr.Get("/healthz", health("ok"))',
      '\tr.Get("/readyz", health("ready"))',
      '\tr.Get("/metrics", metrics)',
      '\tvar handler http.Handler = r',
    ],
  };
  const std = ['"context"', '"errors"', '"fmt"', '"log"', '"net/http"', '"os"', '"os/signal"', '"sync/atomic"', '"syscall"', '"time"'];
  const main = [
    '// Command service is the ' + name + ' HTTP service: health on /healthz and /readyz, metrics on /metrics.',
    'package main',
    '',
    'import (',
    ...std.map((i) => `\t${i}`),
    ...(imports[framework].length ? ['', ...imports[framework].map((i) => `\t${i}`)] : []),
    ')',
    '',
    'var requests atomic.Int64',
    '',
    'func health(status string) http.HandlerFunc {',
    '\treturn func(w http.ResponseWriter, _ *http.Request) {',
    '\t\trequests.Add(1)',
    '\t\tw.Header().Set("Content-Type", "application/json")',
    '\t\tfmt.Fprintf(w, "{\\"status\\":%q}", status)',
    '\t}',
    '}',
    '',
    'func metrics(w http.ResponseWriter, _ *http.Request) {',
    '\tw.Header().Set("Content-Type", "text/plain; version=0.0.4")',
    `\tfmt.Fprintf(w, "# HELP http_requests_total Requests served.\\n# TYPE http_requests_total counter\\nhttp_requests_total{service=\\"${name}\\"} %d\\n", requests.Load())`,
    '}',
    '',
    'func main() {',
    ...routes[framework],
    `\tsrv := &http.Server{Addr: ":${PORT}", Handler: handler, ReadHeaderTimeout: 5 * time.Second}`,
    '\tgo func() {',
    '\t\tif err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {',
    '\t\t\tlog.Fatal(err)',
    '\t\t}',
    '\t}()',
    '\tstop := make(chan os.Signal, 1)',
    '\tsignal.Notify(stop, syscall.SIGTERM, os.Interrupt)',
    '\t<-stop',
    '\tctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)',
    '\tdefer cancel()',
    '\t_ = srv.Shutdown(ctx)',
    '}',
    '',
  ].join('\n');
  return { 'go.mod': goMod, 'cmd/service/main.go': main };
}

function javaSources(name: string, framework: string): Record<string, string> {
  const springBoot = framework === 'spring-boot';
  const deps = springBoot
    ? `  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.4.1</version>
    <relativePath/>
  </parent>
`
    : '';
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
${deps}  <groupId>com.example</groupId>
  <artifactId>${name}</artifactId>
  <version>0.1.0</version>
  <packaging>jar</packaging>
  <properties>
    <maven.compiler.release>21</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
${springBoot ? '' : '    <quarkus.version>3.17.5</quarkus.version>\n'}  </properties>
${
  springBoot
    ? `  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-test</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
      </plugin>
    </plugins>
  </build>
`
    : `  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.quarkus.platform</groupId>
        <artifactId>quarkus-bom</artifactId>
        <version>\${quarkus.version}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>io.quarkus</groupId>
      <artifactId>quarkus-rest</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>io.quarkus.platform</groupId>
        <artifactId>quarkus-maven-plugin</artifactId>
        <version>\${quarkus.version}</version>
        <extensions>true</extensions>
        <executions>
          <execution>
            <goals>
              <goal>build</goal>
            </goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
`
}</project>
`;
  const metricsBody = `"# HELP http_requests_total Requests served.\\n# TYPE http_requests_total counter\\nhttp_requests_total{service=\\"${name}\\"} " + requests.get() + "\\n"`;
  const java = springBoot
    ? `package com.example.service;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
@RestController
public class Application {
  private final AtomicLong requests = new AtomicLong();

  public static void main(String[] args) {
    SpringApplication.run(Application.class, args);
  }

  @GetMapping("/healthz")
  public Map<String, String> healthz() {
    requests.incrementAndGet();
    return Map.of("status", "ok");
  }

  @GetMapping("/readyz")
  public Map<String, String> readyz() {
    return Map.of("status", "ready");
  }

  @GetMapping(value = "/metrics", produces = "text/plain")
  public String metrics() {
    return ${metricsBody};
  }
}
`
    : `package com.example.service;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

@Path("/")
public class Application {
  private static final AtomicLong requests = new AtomicLong();

  @GET
  @Path("healthz")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> healthz() {
    requests.incrementAndGet();
    return Map.of("status", "ok");
  }

  @GET
  @Path("readyz")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> readyz() {
    return Map.of("status", "ready");
  }

  @GET
  @Path("metrics")
  @Produces(MediaType.TEXT_PLAIN)
  public String metrics() {
    return ${metricsBody};
  }
}
`;
  const properties = springBoot ? `server.port=${PORT}\nserver.shutdown=graceful\n` : `quarkus.http.port=${PORT}\nquarkus.package.jar.type=uber-jar\n`;
  return { 'pom.xml': pom, 'src/main/java/com/example/service/Application.java': java, 'src/main/resources/application.properties': properties };
}

/** The application files of the skeleton (paths relative to its root). */
export function applicationSources(p: { name: string; language: Language; framework: string }): Record<string, string> {
  switch (p.language) {
    case 'typescript':
      return nodeSources(p.name, p.framework, true);
    case 'javascript':
      return nodeSources(p.name, p.framework, false);
    case 'python':
      return pythonSources(p.name, p.framework);
    case 'go':
      return goSources(p.name, p.framework);
    case 'java':
      return javaSources(p.name, p.framework);
  }
}
