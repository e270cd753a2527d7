// Posts `deploy report`'s Markdown on the pull request, or updates the comment it posted before:
// one comment per pull request, always the report of its latest push. Run by
// actions/github-script in .github/workflows/deploy-report.yml; tested in deploy/src/workflows.spec.ts.
const { readFileSync } = require('node:fs');

/** The report's first line (deploy/src/report/render-markdown.ts): how the comment is found again. */
const MARKER = '<!-- switchboard-deploy-report -->';
/** GitHub refuses a comment body over 65,536 characters. */
const MAX_BODY = 65_000;

module.exports = async function postDeployReport({ github, context, path }) {
  let body = readFileSync(path, 'utf8');
  if (!body.startsWith(MARKER)) {
    throw new Error(`${path} is not a deploy report (it does not start with ${MARKER})`);
  }
  if (body.length > MAX_BODY) {
    body = `${body.slice(0, MAX_BODY)}\n\n… cut to fit a comment: run \`npm run deploy -- report\` for all of it.\n`;
  }
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number,
    per_page: 100,
  });
  // Only a comment of this workflow's bot: a person quoting the marker keeps their comment.
  const previous = comments.find(
    (comment) => comment.user?.type === 'Bot' && comment.body?.startsWith(MARKER),
  );
  if (previous) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
    return { updated: previous.id };
  }
  const { data } = await github.rest.issues.createComment({ owner, repo, issue_number, body });
  return { created: data.id };
};
