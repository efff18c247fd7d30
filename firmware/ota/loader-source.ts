// The `.bootcde` of an A/B device: picks the slot from the boot log (boot-log.ts), counts a trial's
// boot or rolls it back, and evals the slot file from flash. It is hand-written JavaScript, not a
// bundle: the eval must run at the top level so the firmware's names stay globals, as they are when
// the bundle itself is .bootcde (wrapped in a function, the firmware costs about 42 JsVars more,
// MEMORY.md). test/ota/loader.test.ts runs it against replayLog on every short log.
//
// It deliberately keeps nothing: its one function is called once and dropped. If the slot throws
// while it starts, and that was a trial's boot, it appends 'x' and reloads: the trial's boots run
// out and the proven slot comes back. It does not report anything: the firmware does, once online.

/** A trial not proven this long after its boot is restarted (a hung firmware still uses up its boots). */
export const TRIAL_DEADLINE_MS = 300000;

/** Evaluated on the device; every name inside the functions is local. Espruino 2v29 JavaScript. */
export const loaderSource = (deadlineMs = TRIAL_DEADLINE_MS): string =>
  'try{eval(require("Storage").read((function(S){' +
  'var L=S.read(".otalog"),g="a",t="",n=0,i=1,c;' +
  'if(L){if(L[0]=="b")g="b";' +
  'for(;i<L.length;i++){c=L[i];if(c=="\\xFF")break;' +
  'if(c=="A"||c=="B"){t=c=="A"?"a":"b";n=0}else if(t){if(c=="t")n++;else if(c=="k"){g=t;t=""}else if(c=="r")t=""}}' +
  // A trial with boots left (and its file present) gets this boot, once the boot is counted; else
  // it is rolled back. A log that cannot take the record (full) boots the proven slot.
  'if(t){c=n<3&&S.read("fw."+t)?"t":"r";try{S.write(".otalog",c,i);if(c=="t")g=t}catch(e){}}}' +
  'c="fw."+g;if(!S.read(c))c=g=="a"?"fw.b":"fw.a";' +
  // On trial: restart if no 'k' follows this boot's 't' by the deadline.
  'if(c=="fw."+t){print("boot: "+c+" (trial "+(n+1)+" of 3)");setTimeout(function(){' +
  'if(S.read(".otalog").indexOf("k",i)<0){print("boot: trial not proven in time, restarting");load()}},' + deadlineMs + ')}' +
  'else print("boot: "+c);return c' +
  '})(require("Storage"))))' +
  '}catch(e){print("boot: the firmware stopped: "+e);(function(S){' +
  'var L=S.read(".otalog"),i=L?L.indexOf("\\xFF"):-1;' +
  'if(i>1&&L[i-1]=="t"){S.write(".otalog","x",i);setTimeout(load,500)}' +
  '})(require("Storage"))}\n';

export const LOADER_SOURCE = loaderSource();
