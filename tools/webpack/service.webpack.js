const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');

/**
 * The build of every service: one bundle of our code with node_modules left external, plus a
 * generated package.json and lockfile listing only that service's runtime dependencies.
 * tsc (not esbuild) keeps the decorator metadata Nest's dependency injection reads at run time.
 */
module.exports = function serviceWebpackConfig(serviceName) {
  return {
    output: { path: join(__dirname, '..', '..', 'dist', 'services', serviceName) },
    devtool: 'source-map',
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
      }),
    ],
  };
};
