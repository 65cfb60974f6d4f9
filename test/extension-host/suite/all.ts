// Every extension-host test file (bundled into out/extension-host/tests.js).
import './extension.ehtest';
