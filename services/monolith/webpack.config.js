// Build configuration, not application code: it may reach into tools/.
// eslint-disable-next-line @nx/enforce-module-boundaries
module.exports = require('../../tools/webpack/service.webpack')('monolith');
