// What the Linux build of Espruino lacks and a NodeMCU has, as Storage files the real interpreter
// runs: a `Wifi` module (require() finds a Storage file of that name when no built-in exists) that
// "joins" at once, and a .boot0 that remembers setWatch's callback so a press can be injected from
// the console (Linux has no GPIO to pull). Never written to a board: it has a real Wifi and button.

/** The stand-in Wifi: the calls and events firmware/espruino/wifi.ts and doctor use, no radio. */
export const WIFI_STAND_IN =
  'var ip="0.0.0.0",ap=1;' +
  'exports.connect=function(s,o,cb){setTimeout(function(){ip="127.0.0.1";if(cb)cb(null);exports.emit("associated",{ssid:s});exports.emit("connected",{ip:ip,mask:"255.0.0.0",gw:"127.0.0.1"})},300)};' +
  'exports.disconnect=function(){if(ip!="0.0.0.0"){ip="0.0.0.0";exports.emit("disconnected",{reason:"8"})}};' +
  'exports.getIP=function(){return{ip:ip,netmask:"255.0.0.0",gw:"127.0.0.1"}};' +
  'exports.getDetails=function(){return{status:ip=="0.0.0.0"?"off":"connected",ssid:"stand-in"}};' +
  'exports.getStatus=function(){return{station:ip=="0.0.0.0"?"off":"connected",ap:ap?"enabled":"disabled"}};' +
  'exports.getAPDetails=function(){return ap?{status:"enabled",ssid:"ESP_STANDIN",authMode:"open"}:{status:"disabled"}};' +
  'exports.startAP=function(){ap=1};exports.stopAP=function(){ap=0};' +
  'exports.setSNTP=function(){};exports.setHostname=function(){};exports.save=function(){};exports.restore=function(){exports.connect("saved",{})};';

/** Runs before .bootcde: keeps the button's watch callback so `PRESS(ms)` can drive it. */
export const PRESS_HOOK =
  // `setWatch=` alone throws on 2v29 ("Unable to assign value to non-reference Function"): a native
  // global is replaced through `global.`.
  'var BTN;global.setWatch=(function(w){return function(f,p,o){BTN=f;return w(f,p,o)}})(global.setWatch);' +
  'function PRESS(ms){BTN({state:false,time:getTime()});setTimeout(function(){BTN({state:true,time:getTime()})},ms)}';

/** Storage files that install the stand-ins; the interpreter must be reset or load()ed after. */
export const STAND_IN_FILES = [
  { name: 'Wifi', data: Buffer.from(WIFI_STAND_IN, 'latin1') },
  { name: '.boot0', data: Buffer.from(PRESS_HOOK, 'latin1') },
];

/** A build without the Wifi module (the Linux one) needs the stand-ins; a NodeMCU never does. */
export function needsStandIns(modules: string[]): boolean {
  return !modules.includes('Wifi');
}
