// Runs before every test file (jest `setupFiles`). The AWS SDK warns once per process that its releases after
// early 2027 need Node 22; these machines and CI run Node 20 on purpose (see README, "Node.js versions"), so the
// warning is silenced in test output only. Child processes the tests start inherit it through process.env.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
