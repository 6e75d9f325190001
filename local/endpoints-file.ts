/**
 * The file `shepherd local --endpoints PATH` writes once the local control plane is up, and that
 * `shepherd start|status --local` read to talk to it. Relative paths in it are relative to the file.
 */
export interface LocalEndpointsFile {
  /** Written as true once every endpoint answers; a file without it is still being written. */
  ready: true;
  /** Base URLs (http://127.0.0.1:PORT) of the local AWS services and the simulated clouds. */
  endpoints: {
    stepfunctions: string;
    dynamodb: string;
    eventbridge: string;
    secretsmanager: string;
    /** Parameter Store (GetParameter); absent in files written before it was served. */
    ssm?: string;
    ec2?: string;
    kube?: string;
    gce?: string;
    scaleway?: string;
    cloudflare?: string;
    /** The chaos endpoint (`shepherd chaos`), loopback only. */
    chaos?: string;
  };
  region: string;
  /** What the local services accept (fake, generated per run). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The local name of the stack's DynamoDB table (claims, pool counters, audit). */
  tableName?: string;
  /** The bearer token the chaos endpoint wants (which is why the file is mode 0600). */
  chaosToken?: string;
  /** Path of a kubeconfig file for the simulated cluster. */
  kubeconfig?: string;
  /** Path of the shepherd config the control plane runs with. */
  configFile?: string;
  /** The process serving these endpoints: a reader can tell a file left behind by one that is gone. */
  pid?: number;
}
