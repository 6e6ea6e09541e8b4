/** The table Notification API's request body (notifications-api.yaml, NotificationRequest). */
export type NotificationType = 'CREATE' | 'UPDATE' | 'DROP' | 'VALIDATE';

export interface NotificationRequest {
  readonly 'notification-type': NotificationType;
  readonly payload: {
    readonly 'table-name': string;
    readonly timestamp: number;
    readonly 'table-uuid': string;
    readonly 'metadata-location': string;
  };
}

/**
 * The spec requires table-uuid but Polaris ignores it; when the source does not know the UUID the nil
 * UUID is sent, which says "unknown" plainly instead of inventing one.
 */
export const UNKNOWN_TABLE_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * `metadata` (inline TableMetadata) is never sent: Polaris reads the file itself, and a malformed
 * inline object can turn a good notification into a 400.
 */
export function notificationBody(
  type: NotificationType,
  table: { name: string; timestamp: number; tableUuid: string | null; metadataLocation: string },
): NotificationRequest {
  return {
    'notification-type': type,
    payload: {
      'table-name': table.name,
      timestamp: table.timestamp,
      'table-uuid': table.tableUuid ?? UNKNOWN_TABLE_UUID,
      'metadata-location': table.metadataLocation,
    },
  };
}
