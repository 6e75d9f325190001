import { loadConfigFile } from '../config/load.js';
import { createShepherdApp } from './shepherd-app.js';

// cdk.json runs this file. The config comes from SHEPHERD_CONFIG_FILE or ./shepherd.config.json; an invalid one
// stops synthesis with a ConfigError naming each bad field.
const { app } = createShepherdApp(loadConfigFile());
app.synth();
