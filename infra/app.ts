import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import { createShepherdApp } from './shepherd-app.js';

// cdk.json runs this file. The config comes from SHEPHERD_CONFIG_FILE or ./shepherd.config.json; an invalid one
// stops synthesis with a ConfigError naming each bad field: printed as it is, since a stack trace adds nothing to it.
try {
  const { app } = createShepherdApp(loadConfigFile());
  app.synth();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
