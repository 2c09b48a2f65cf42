import { StopOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import {
  approveReversal,
  CONTAINMENT_KINDS,
  type ContainmentAction,
  type ContainmentKind,
  type IncidentDetail,
  incidentKey,
  rejectReversal,
  requestReversal,
  takeContainment,
} from './incidents-api';

const USER_ACTIONS = new Set<ContainmentKind>(['suspend-user', 'revoke-sessions', 'revoke-api-tokens']);
const STATE_COLOURS: Record<ContainmentAction['state'], string> = {
  active: 'red',
  done: 'default',
  'reversal-requested': 'gold',
  reversed: 'green',
};

/**
 * Containment (S4.3): each button asks for confirmation, then the server asks for the second factor (the
 * step-up modal). Undoing an action is asked by one security officer and approved by another.
 */
export function IncidentContainmentCard({
  incident,
  mayContain,
  mayApprove,
  myId,
}: {
  incident: IncidentDetail;
  mayContain: boolean;
  mayApprove: boolean;
  myId: string | undefined;
}) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [userId, setUserId] = useState('');
  const [reversal, setReversal] = useState<ContainmentAction | null>(null);
  const [reason, setReason] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: incidentKey(incident.id) });
  const onError = (error: unknown) => void message.error(problemMessage(error));

  const take = useMutation({
    mutationFn: (kind: ContainmentKind) =>
      takeContainment(incident.id, { kind, ...(USER_ACTIONS.has(kind) ? { userId: userId.trim() } : {}) }),
    onSuccess: (action) => {
      void message.success(
        t('incidents.containment.taken', { action: t(`incidents.containment.kinds.${action.kind}`) }),
      );
      void refresh();
    },
    onError,
  });
  const ask = useMutation({
    mutationFn: ({ action, why }: { action: ContainmentAction; why: string }) =>
      requestReversal(incident.id, action.id, why),
    onSuccess: () => {
      setReversal(null);
      setReason('');
      void refresh();
    },
    onError,
  });
  const approve = useMutation({
    mutationFn: (action: ContainmentAction) => approveReversal(incident.id, action.id),
    onSuccess: () => void refresh(),
    onError,
  });
  const reject = useMutation({
    mutationFn: (action: ContainmentAction) => rejectReversal(incident.id, action.id),
    onSuccess: () => void refresh(),
    onError,
  });

  const suspect = userId.trim();
  const closed = incident.state === 'closed';
  return (
    <Card
      title={
        <span>
          <StopOutlined /> {t('incidents.containment.title')}
        </span>
      }
    >
      <Flex vertical gap="middle">
        <Alert
          type={incident.isDrill ? 'warning' : 'info'}
          showIcon
          title={incident.isDrill ? t('incidents.containment.drillHint') : t('incidents.containment.hint')}
        />
        {mayContain && !closed && (
          <Flex vertical gap="small">
            <Flex gap="small" align="center" wrap>
              <Typography.Text>{t('incidents.containment.userId')}</Typography.Text>
              <Input
                value={userId}
                onChange={(event) => setUserId(event.target.value)}
                style={{ width: 340 }}
                data-testid="containment-user"
              />
            </Flex>
            <Flex gap="small" wrap>
              {CONTAINMENT_KINDS.map((kind) => {
                const label = t(`incidents.containment.kinds.${kind}`);
                const needsUser = USER_ACTIONS.has(kind);
                return (
                  <Popconfirm
                    key={kind}
                    title={t('incidents.containment.confirm', { action: label })}
                    okText={t('common.yes')}
                    cancelText={t('common.no')}
                    onConfirm={() => take.mutateAsync(kind).catch(() => {})}
                    disabled={needsUser && !suspect}
                  >
                    <Button
                      danger={kind !== 'rotate-keys'}
                      disabled={needsUser && !suspect}
                      data-testid={`contain-${kind}`}
                    >
                      {label}
                    </Button>
                  </Popconfirm>
                );
              })}
            </Flex>
          </Flex>
        )}
        <Table<ContainmentAction>
          rowKey="id"
          size="small"
          dataSource={incident.containment}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('incidents.containment.empty') }}
          data-testid="containment-table"
          columns={[
            {
              title: t('incidents.containment.columns.action'),
              dataIndex: 'kind',
              render: (kind: ContainmentKind, action) => (
                <Flex gap={4} align="center">
                  {t(`incidents.containment.kinds.${kind}`)}
                  {action.simulated && <Tag color="purple">{t('incidents.containment.simulated')}</Tag>}
                </Flex>
              ),
            },
            {
              title: t('incidents.containment.columns.target'),
              dataIndex: 'target',
              render: (target: ContainmentAction['target']) => <Details values={target} />,
            },
            {
              title: t('incidents.containment.columns.state'),
              dataIndex: 'state',
              render: (state: ContainmentAction['state']) => (
                <Tag color={STATE_COLOURS[state]}>{t(`incidents.containment.states.${state}`)}</Tag>
              ),
            },
            {
              title: t('incidents.containment.columns.takenAt'),
              dataIndex: 'takenAt',
              render: (value: string) => formatDateTime(value, language),
            },
            {
              title: t('incidents.containment.columns.result'),
              dataIndex: 'result',
              render: (result: ContainmentAction['result']) => <Details values={result} />,
            },
            {
              title: t('incidents.containment.columns.actions'),
              key: 'actions',
              render: (_, action) => (
                <Flex gap="small">
                  {mayContain && action.reversible && action.state === 'active' && (
                    <Button size="small" onClick={() => setReversal(action)}>
                      {t('incidents.containment.requestReversal')}
                    </Button>
                  )}
                  {mayApprove &&
                    action.state === 'reversal-requested' &&
                    action.reversalRequestedBy !== myId && (
                      <>
                        <Button size="small" type="primary" onClick={() => approve.mutate(action)}>
                          {t('incidents.containment.approve')}
                        </Button>
                        <Button size="small" onClick={() => reject.mutate(action)}>
                          {t('incidents.containment.reject')}
                        </Button>
                      </>
                    )}
                </Flex>
              ),
            },
          ]}
        />
      </Flex>
      <Modal
        open={reversal !== null}
        title={t('incidents.containment.requestReversal')}
        onCancel={() => setReversal(null)}
        onOk={() => reversal && reason.trim() && ask.mutate({ action: reversal, why: reason.trim() })}
        confirmLoading={ask.isPending}
        destroyOnHidden
      >
        <Typography.Text>{t('incidents.containment.reversalReason')}</Typography.Text>
        <Input.TextArea
          rows={3}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          maxLength={1_000}
        />
      </Modal>
    </Card>
  );
}

function Details({ values }: { values: Record<string, string | number | boolean | null> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <>—</>;
  return (
    <Flex wrap gap={2}>
      {entries.map(([key, value]) => (
        <Tag key={key}>
          {key}: {typeof value === 'string' && value.length > 12 ? `${value.slice(0, 8)}…` : String(value)}
        </Tag>
      ))}
    </Flex>
  );
}
