/** Wire shapes of the compute v1 resources the simulator reads and writes (JSON names, int64 as strings). */

export interface MetadataItem {
  key: string;
  value?: string;
}

export interface AccessConfigBody {
  name?: string;
  type?: string;
  networkTier?: string;
  natIP?: string;
}

export interface NetworkInterfaceBody {
  network?: string;
  subnetwork?: string;
  accessConfigs?: AccessConfigBody[];
}

export interface AttachedDiskBody {
  boot?: boolean;
  autoDelete?: boolean;
  deviceName?: string;
  source?: string;
  initializeParams?: { diskName?: string; sourceImage?: string; diskSizeGb?: string; diskType?: string };
}

export interface SchedulingBody {
  provisioningModel?: string;
  preemptible?: boolean;
  automaticRestart?: boolean;
  onHostMaintenance?: string;
  instanceTerminationAction?: string;
}

/** The `instanceResource` of instances.insert (the fields the simulator uses). */
export interface InstanceBody {
  name?: string;
  description?: string;
  machineType?: string;
  disks?: AttachedDiskBody[];
  networkInterfaces?: NetworkInterfaceBody[];
  metadata?: { items?: MetadataItem[] };
  labels?: Record<string, string>;
  tags?: { items?: string[] };
  scheduling?: SchedulingBody;
  serviceAccounts?: Array<{ email?: string; scopes?: string[] }>;
}

/** What GCE keeps about an instance beyond the world's VM, stored on `vm.extra.gce`. */
export interface InstanceRecord {
  description?: string;
  disks: Array<Record<string, unknown>>;
  networkInterfaces: Array<Record<string, unknown>>;
  metadataItems: MetadataItem[];
  networkTags: string[];
  scheduling: Record<string, unknown>;
  serviceAccounts: Array<{ email: string; scopes: string[] }>;
}

export type OperationStatus = 'PENDING' | 'RUNNING' | 'DONE';

/** A zonal operation as the simulator tracks it. */
export interface ZonalOperation {
  id: string;
  name: string;
  project: string;
  zone: string;
  operationType: string;
  targetPath: string;
  targetId: string;
  status: OperationStatus;
  progress: number;
  insertTime: number;
  startTime?: number;
  endTime?: number;
  statusMessage?: string;
  /** Set when the operation finished with an error (`DONE` all the same). */
  error?: { code: string; message: string; httpStatus: number; httpMessage: string };
}
