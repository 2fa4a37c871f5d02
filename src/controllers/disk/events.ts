// The disk provisioner's Event reasons; several match the in-tree provisioner's so existing
// alerts and runbooks keep working.

export const Reasons = {
  provisioning: 'Provisioning',
  provisioningSucceeded: 'ProvisioningSucceeded',
  provisioningFailed: 'ProvisioningFailed',
  waitForFirstConsumer: 'WaitForFirstConsumer',
  diskDeleted: 'VolumeDeleted',
  diskKept: 'DiskKept',
  deleteFailed: 'VolumeFailedDelete',
  resizing: 'Resizing',
  resizeFailed: 'VolumeResizeFailed',
  fileSystemResizeRequired: 'FileSystemResizeRequired',
} as const;
