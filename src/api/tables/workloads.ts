/** @module Rows for the apps and batch kinds: deployments, replica sets, daemon sets, stateful sets, jobs, cron jobs, controller revisions. */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { fromLabelSelector, selectorString, formatLabels } from '../../apimachinery/labels/index.js';
import {
  type TablePrinter, ageCol, col, containerCells, containersCol, imagesCol, int, nameCol, printBool, selectorCell, wide,
} from './columns.js';
import { humanDuration, since } from './duration.js';

const selectorWide = (description: string) => wide('Selector', 'string', description);

export const deploymentTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageCol(), containersCol(), imagesCol(),
    selectorWide('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  rowCells(d: Deployment, now) {
    let selector: string;
    try {
      selector = selectorString(fromLabelSelector(d.spec?.selector));
    } catch {
      selector = '<invalid>';
    }
    return [d.metadata?.name, `${int(d.status?.readyReplicas)}/${int(d.spec?.replicas)}`, int(d.status?.updatedReplicas),
      int(d.status?.availableReplicas), since(d.metadata?.creationTimestamp, now), ...containerCells(d.spec?.template?.spec?.containers), selector];
  },
};

export const replicaSetTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Desired', 'integer', 'Replicas is the number of desired pods.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of non-terminating pods.'),
    col('Ready', 'integer', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
    ageCol(), containersCol(), imagesCol(),
    selectorWide('Selector is a label query over pods that should match the replica count.'),
  ],
  rowCells(rs: ReplicaSet, now) {
    return [rs.metadata?.name, int(rs.spec?.replicas), int(rs.status?.replicas), int(rs.status?.readyReplicas),
      since(rs.metadata?.creationTimestamp, now), ...containerCells(rs.spec?.template?.spec?.containers), selectorCell(rs.spec?.selector)];
  },
};

export const daemonSetTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageCol(), containersCol(), imagesCol(),
    selectorWide('A label query over pods that are managed by the daemon set.'),
  ],
  rowCells(ds: DaemonSet, now) {
    const s = ds.status;
    return [ds.metadata?.name, int(s?.desiredNumberScheduled), int(s?.currentNumberScheduled), int(s?.numberReady),
      int(s?.updatedNumberScheduled), int(s?.numberAvailable), formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now), ...containerCells(ds.spec?.template?.spec?.containers), selectorCell(ds.spec?.selector)];
  },
};

export const statefulSetTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Ready', 'string', 'Number of the pod with ready state'), ageCol(), containersCol(), imagesCol()],
  rowCells(ss: StatefulSet, now) {
    return [ss.metadata?.name, `${int(ss.status?.readyReplicas)}/${int(ss.spec?.replicas)}`, since(ss.metadata?.creationTimestamp, now),
      ...containerCells(ss.spec?.template?.spec?.containers)];
  },
};

const jobCondition = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type)?.status === 'True';

function jobStatus(job: Job): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: Job): string {
  const succeeded = int(job.status?.succeeded);
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

export const jobTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol(), containersCol(), imagesCol(),
    selectorWide('A label query over pods that should match the pod count.'),
  ],
  rowCells(job: Job, now) {
    return [job.metadata?.name, jobStatus(job), completions(job), jobDuration(job, now), since(job.metadata?.creationTimestamp, now),
      ...containerCells(job.spec?.template?.spec?.containers), selectorCell(job.spec?.selector)];
  },
};

export const cronJobTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageCol(), containersCol(), imagesCol(),
    selectorWide('A label query over pods that should match the pod count.'),
  ],
  rowCells(cj: CronJob, now) {
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
    const suspend = cj.spec?.suspend == null ? '<unset>' : printBool(cj.spec.suspend);
    const jobSpec = cj.spec?.jobTemplate?.spec;
    return [cj.metadata?.name, cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', suspend, cj.status?.active?.length ?? 0, last,
      since(cj.metadata?.creationTimestamp, now), ...containerCells(jobSpec?.template?.spec?.containers), selectorCell(jobSpec?.selector)];
  },
};

/** "daemonset.apps/name": the controller owner reference, lower-cased kind.group as upstream prints it. */
function controllerName(cr: ControllerRevision): string {
  const ref = cr.metadata?.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  if (!ref.kind && !group) return ref.name;
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageCol(),
  ],
  rowCells(cr: ControllerRevision, now) {
    return [cr.metadata?.name, controllerName(cr), cr.revision ?? 0, since(cr.metadata?.creationTimestamp, now)];
  },
};
