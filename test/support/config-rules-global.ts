// jest setup: what the build's esbuild `define` gives the firmware, the config rule table as
// __CONFIG_RULES__, for tests that load firmware/core/config.ts directly.
import { ruleTable } from '../../config/rules';

(globalThis as Record<string, unknown>).__CONFIG_RULES__ = ruleTable();
