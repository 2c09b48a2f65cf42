import { DownloadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { apiDownload } from '../../api/api-client';
import { useLanguage } from '../../i18n/language-provider';
import { saveBlob } from '../audit/audit-api';
import { useProblemMessage } from '../auth/problem-messages';
import type { ClaimFilter } from './claims-api';

type ExportFormat = 'xlsx' | 'csv';

/**
 * Export of the filtered claims list (XLSX or CSV). A bulk export: the server asks for the second factor
 * (the API client's step-up modal), caps the rows, watermarks the file with the exporter and audits it.
 */
export function ClaimsExportButtons({ filter }: { filter: ClaimFilter }) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const download = useMutation({
    mutationFn: (format: ExportFormat) =>
      apiDownload('/api/v1/claims/export', {
        method: 'POST',
        body: {
          json: {
            format,
            language,
            ...(filter.states.length > 0 ? { states: filter.states } : {}),
            ...(filter.productLine ? { productLine: filter.productLine } : {}),
          },
        },
      }),
    onSuccess: ({ blob, fileName }, format) => {
      saveBlob(blob, fileName ?? `claims.${format}`);
      message.success(t('claims.export.done'));
    },
    onError: (error) => message.error(problemMessage(error)),
  });
  return (
    <Dropdown
      menu={{
        items: [
          { key: 'xlsx', label: t('claims.export.xlsx') },
          { key: 'csv', label: t('claims.export.csv') },
        ],
        onClick: ({ key }) => download.mutate(key as ExportFormat),
      }}
    >
      <Button size="small" icon={<DownloadOutlined />} loading={download.isPending}>
        {t('claims.export.button')}
      </Button>
    </Dropdown>
  );
}
