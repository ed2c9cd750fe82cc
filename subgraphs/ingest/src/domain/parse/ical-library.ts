/**
 * ical.js ships ESM types and a CommonJS build; this CommonJS package loads the build with require
 * and borrows the types from the ESM declaration.
 */
type IcalModule = typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded = require('ical.js') as { default?: IcalModule } & IcalModule;
const ICAL: IcalModule = loaded.default ?? loaded;
export default ICAL;

export type Component = InstanceType<IcalModule['Component']>;
export type Property = InstanceType<IcalModule['Property']>;
export type Time = InstanceType<IcalModule['Time']>;
export type Duration = InstanceType<IcalModule['Duration']>;
