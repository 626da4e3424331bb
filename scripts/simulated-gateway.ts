import { runEdgeAgent } from '../edge/main.ts';
import { simulatedDriverFactory } from '../simulators/driver/factory.ts';
import { simulatedUplinkFactory } from '../simulators/uplink/factory.ts';

/**
 * Entry point of an edge agent whose devices are simulated (`drivers: [{ "type": "simulated" }]`):
 * `EDGE_CONFIG=gateway.json npm run edge` compiles it into dist/ and runs
 * `node --lite-mode dist/scripts/simulated-gateway.js`, as the edge services of docker-compose.yml do.
 * The edge itself knows no simulator: this file hands it the simulated driver factory and the
 * simulated uplink (`uplink: { "type": "simulated" }`).
 */
await runEdgeAgent({ simulated: simulatedDriverFactory }, { simulated: simulatedUplinkFactory });
