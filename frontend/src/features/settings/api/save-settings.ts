// PUT /api/settings (Admin) `{version, config}`: the whole editable config, with the version it
// was read at. The answer is the settings as GET gives them, at their new version. 409
// CONFLICT: someone saved since that version was read, and nothing was written; 400
// VALIDATION_FAILED names the first field refused at the start of its message.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';
import { settingsKeys, settingsSchema, type Settings, type SettingsConfig } from './settings';

export interface SettingsSave {
  /** The `version` of the settings the edit started from. */
  version: number;
  config: SettingsConfig;
}

export function saveSettings(api: ApiClient, save: SettingsSave): Promise<Settings> {
  return api.request('PUT', '/settings', settingsSchema, { body: save });
}

export function useSaveSettings() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (save: SettingsSave) => saveSettings(api, save),
    // The answer is the settings as they now are: no second request to read them back.
    onSuccess: (saved) => queryClient.setQueryData(settingsKeys.current(), saved),
  });
}
