// The copy lives in platform-testing: the generators' tests (tools/) make one too.
export { WORKSPACE_ROOT as WORKSPACE, WorkspaceCopy } from '@switchboard/platform-testing';
