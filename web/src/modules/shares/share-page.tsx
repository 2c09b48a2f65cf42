import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Flex, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { isApiProblem } from '../../api/api-client';
import { formatDate, formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { saveBlob } from '../audit/audit-api';
import { AuthFrame } from '../auth/auth-frame';
import {
  downloadSharedDocument,
  openShare,
  SHARED_FIELDS,
  type SharedClaim,
  tokenFromHash,
} from './share-api';
import { fill, type ShareStrings, shareStrings } from './share-strings';

type State =
  | { kind: 'loading' }
  | { kind: 'open'; share: SharedClaim }
  | {
      kind: 'failed';
      message: keyof Pick<ShareStrings, 'noToken' | 'unavailable' | 'tooManyAttempts' | 'unexpected'>;
    };

function failureOf(error: unknown): Extract<State, { kind: 'failed' }>['message'] {
  if (isApiProblem(error, 'too-many-attempts')) return 'tooManyAttempts';
  if (isApiProblem(error, 'not-found')) return 'unavailable';
  return 'unexpected';
}

/**
 * The page an outside party (garage, hospital, loss adjuster) opens from a share link: `/share#<token>`.
 * The token is read from the fragment, which the browser never sends, and posted in a request body; the
 * page shows the fields and documents the handler chose, nothing else. No sign-in is involved.
 */
export function SharePage() {
  const { language } = useLanguage();
  const strings = shareStrings[language];
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [state, setState] = useState<State>(() =>
    token ? { kind: 'loading' } : { kind: 'failed', message: 'noToken' },
  );
  const [downloadFailed, setDownloadFailed] = useState(false);
  const [downloading, setDownloading] = useState<string | null>(null);

  useEffect(() => {
    if (!token) return;
    let live = true;
    openShare(token).then(
      (share) => live && setState({ kind: 'open', share }),
      (error: unknown) => live && setState({ kind: 'failed', message: failureOf(error) }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  const download = async (documentId: string) => {
    if (!token) return;
    setDownloadFailed(false);
    setDownloading(documentId);
    try {
      const { blob, fileName } = await downloadSharedDocument(token, documentId);
      saveBlob(blob, fileName);
    } catch {
      setDownloadFailed(true);
    } finally {
      setDownloading(null);
    }
  };

  return (
    <AuthFrame width={720}>
      <Typography.Title level={3}>{strings.title}</Typography.Title>
      {state.kind === 'loading' && (
        <Flex justify="center" gap="small" data-testid="share-loading">
          <Spin />
          <Typography.Text>{strings.loading}</Typography.Text>
        </Flex>
      )}
      {state.kind === 'failed' && <Alert type="error" showIcon title={strings[state.message]} />}
      {state.kind === 'open' && (
        <Flex vertical gap="middle">
          <Typography.Text>
            {fill(strings.sharedWith, {
              party: `${state.share.party.name} (${strings.partyKinds[state.share.party.kind]})`,
            })}
            <br />
            {fill(strings.validUntil, { date: formatDateTime(state.share.expiresAt, language) })}
          </Typography.Text>
          <Alert type="warning" showIcon title={strings.notice} />
          <Descriptions
            title={strings.fields}
            column={1}
            bordered
            size="small"
            items={SHARED_FIELDS.filter((field) => field in state.share.claim).map((field) => {
              const value = state.share.claim[field] ?? '';
              return {
                key: field,
                label: strings.fieldLabels[field],
                children: field === 'incidentDate' ? formatDate(value, language) : value || '—',
              };
            })}
          />
          <Typography.Title level={5}>{strings.documents}</Typography.Title>
          {downloadFailed && <Alert type="error" showIcon title={strings.downloadFailed} />}
          {state.share.documents.length === 0 ? (
            <Typography.Text type="secondary">{strings.noDocuments}</Typography.Text>
          ) : (
            <Flex vertical gap="small">
              {state.share.documents.map((document) => (
                <Flex key={document.id} justify="space-between" align="center" gap="middle">
                  <Typography.Text>
                    {strings.categories[document.category]} · {formatDateTime(document.createdAt, language)} ·{' '}
                    {Math.max(1, Math.round(document.size / 1024))} KB
                  </Typography.Text>
                  <Button
                    icon={<DownloadOutlined />}
                    loading={downloading === document.id}
                    onClick={() => void download(document.id)}
                  >
                    {strings.download}
                  </Button>
                </Flex>
              ))}
            </Flex>
          )}
        </Flex>
      )}
    </AuthFrame>
  );
}
