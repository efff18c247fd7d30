// The AWS IoT Jobs MQTT topics a firmware-update executor uses as a thing, in one place: the gateway
// subscribes and publishes exactly these, and aws-setup's thing policy allows exactly these.
// (The topic layout is AWS's, docs: jobs-mqtt-api; `get` and `notify` are not used.)

export const jobsRoot = (thing: string) => `$aws/things/${thing}/jobs/`;

export const JobsTopic = {
  notifyNext: (thing: string) => `${jobsRoot(thing)}notify-next`,
  startNext: (thing: string) => `${jobsRoot(thing)}start-next`,
  update: (thing: string, jobId: string) => `${jobsRoot(thing)}${jobId}/update`,
};

/** Filters the executor subscribes to (a policy checks Subscribe against the filter as written, '+' included). */
export const executorFilters = (thing: string) => [
  JobsTopic.notifyNext(thing),
  `${JobsTopic.startNext(thing)}/accepted`,
  `${JobsTopic.startNext(thing)}/rejected`,
  `${JobsTopic.update(thing, '+')}/accepted`,
  `${JobsTopic.update(thing, '+')}/rejected`,
];
