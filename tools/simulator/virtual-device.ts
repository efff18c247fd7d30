// The public entry point for the virtual NodeMCU (what tools/start imports); the code is in device.ts.
export { createVirtualDevice, defaultTiming } from './device';
export type { VirtualDevice, VirtualDeviceOptions, VirtualStorage, DeviceTiming } from './device';
export { runSimulator } from './run-simulator';
export type { RunSimulatorOptions, RunningSimulator } from './run-simulator';
