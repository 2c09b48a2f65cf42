import { BugOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBranchLabel } from '../../app/branch-label';
import { formatDateTime } from '../../app/format-date';
import { useLanguage } from '../../i18n/language-provider';
import { useProblemMessage } from '../auth/problem-messages';
import {
  detectionKeys,
  type Honeytoken,
  honeytokensQueryOptions,
  type LookupMatch,
  lookupHoneytoken,
  type PlantedHoneytoken,
  type PlantRequest,
  plantHoneytoken,
} from './detection-api';
import { StaffName, useStaffNames } from './detection-parts';

const PARTY_KINDS = ['garage', 'hospital', 'loss-adjuster', 'other'] as const;
const PRODUCT_LINES = ['motor', 'health', 'property', 'life', 'accident', 'cyber'] as const;

type PlantForm = {
  kind: 'customer' | 'claim';
  recipientKind: 'none' | 'staff' | 'external';
  userId?: string;
  label?: string;
  partyKind?: (typeof PARTY_KINDS)[number];
  productLine?: (typeof PRODUCT_LINES)[number];
  branch?: string;
  note?: string;
};

/** Honeytokens (S2.3): plant decoys, see whom each was shown to and how often it was touched, trace a leak. */
export function DetectionHoneytokensPage() {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const problemMessage = useProblemMessage();
  const honeytokens = useQuery(honeytokensQueryOptions);
  const [planting, setPlanting] = useState(false);
  const [planted, setPlanted] = useState<PlantedHoneytoken | null>(null);

  return (
    <Flex vertical gap="large">
      <Flex justify="space-between" align="flex-start" gap="middle" wrap>
        <div style={{ maxWidth: 820 }}>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('detection.honeytokens.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('detection.honeytokens.subtitle')}</Typography.Text>
        </div>
        <Button
          type="primary"
          icon={<BugOutlined />}
          onClick={() => setPlanting(true)}
          data-testid="plant-honeytoken"
        >
          {t('detection.honeytokens.plant')}
        </Button>
      </Flex>
      {honeytokens.error && <Alert type="error" showIcon title={problemMessage(honeytokens.error)} />}
      <LookupCard />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Honeytoken>
          rowKey="id"
          loading={honeytokens.isPending}
          dataSource={honeytokens.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('detection.honeytokens.empty') }}
          data-testid="honeytokens-table"
          columns={[
            {
              title: t('detection.honeytokens.columns.kind'),
              dataIndex: 'kind',
              render: (kind: Honeytoken['kind']) => t(`detection.honeytokens.kinds.${kind}`),
            },
            {
              title: t('detection.honeytokens.columns.claimNumber'),
              dataIndex: 'claimNumber',
              render: (value: string | null) =>
                value ? <Typography.Text code>{value}</Typography.Text> : '—',
            },
            {
              title: t('detection.honeytokens.columns.recipient'),
              dataIndex: 'recipient',
              render: (recipient: Honeytoken['recipient']) => <Recipient recipient={recipient} />,
            },
            {
              title: t('detection.honeytokens.columns.plantedAt'),
              dataIndex: 'plantedAt',
              render: (value: string) => formatDateTime(value, language),
            },
            {
              title: t('detection.honeytokens.columns.alerts'),
              dataIndex: 'alerts',
              render: (alerts: number) => <Tag color={alerts > 0 ? 'red' : 'default'}>{alerts}</Tag>,
            },
            {
              title: t('detection.honeytokens.columns.lastTouch'),
              dataIndex: 'lastTouchAt',
              render: (value: string | null) => (value ? formatDateTime(value, language) : '—'),
            },
            {
              title: t('detection.honeytokens.columns.note'),
              dataIndex: 'note',
              render: (note: string | null) => note ?? '—',
            },
          ]}
        />
      </Card>
      {planting && (
        <PlantModal
          onClose={() => setPlanting(false)}
          onPlanted={(result) => {
            setPlanting(false);
            setPlanted(result);
          }}
        />
      )}
      <Modal
        open={planted !== null}
        title={t('detection.honeytokens.planted')}
        onCancel={() => setPlanted(null)}
        footer={<Button onClick={() => setPlanted(null)}>OK</Button>}
        destroyOnHidden
      >
        {planted && (
          <Flex vertical gap="middle" data-testid="planted-decoy">
            <Alert type="warning" showIcon title={t('detection.honeytokens.decoyOnce')} />
            <Descriptions size="small" bordered column={1}>
              {planted.claimNumber && (
                <Descriptions.Item label={t('detection.honeytokens.claimNumber')}>
                  {planted.claimNumber}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('detection.honeytokens.decoyName')}>
                {planted.decoy.name}
              </Descriptions.Item>
              <Descriptions.Item label={t('detection.honeytokens.decoyId')}>
                {planted.decoy.idNumber}
              </Descriptions.Item>
              <Descriptions.Item label={t('detection.honeytokens.decoyPhone')}>
                {planted.decoy.phone}
              </Descriptions.Item>
              <Descriptions.Item label={t('detection.honeytokens.decoyEmail')}>
                {planted.decoy.email}
              </Descriptions.Item>
              <Descriptions.Item label={t('detection.honeytokens.decoyAddress')}>
                {planted.decoy.address}
              </Descriptions.Item>
            </Descriptions>
          </Flex>
        )}
      </Modal>
    </Flex>
  );
}

function Recipient({ recipient }: { recipient: Honeytoken['recipient'] }) {
  const { t } = useTranslation();
  if (recipient.kind === 'staff') return <StaffName id={recipient.userId} />;
  if (recipient.kind === 'external')
    return (
      <span>
        {recipient.label}{' '}
        {recipient.partyKind && (
          <Tag>
            {t(`detection.honeytokens.partyKinds.${recipient.partyKind as (typeof PARTY_KINDS)[number]}`)}
          </Tag>
        )}
      </span>
    );
  return <Typography.Text type="secondary">{t('detection.honeytokens.nobody')}</Typography.Text>;
}

function LookupCard() {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const { nameOf } = useStaffNames();
  const lookup = useMutation({ mutationFn: lookupHoneytoken });
  const describe = (match: LookupMatch) => {
    const recipient = match.honeytoken.recipient;
    const who =
      recipient.kind === 'staff'
        ? (nameOf(recipient.userId) ?? recipient.userId)
        : recipient.kind === 'external'
          ? recipient.label
          : t('detection.honeytokens.nobody');
    return t('detection.honeytokens.match', {
      on: t(`detection.honeytokens.matchedOn.${match.matchedOn}`),
      kind: `${t(`detection.honeytokens.kinds.${match.honeytoken.kind}`)}${match.honeytoken.claimNumber ? ` ${match.honeytoken.claimNumber}` : ''}`,
      recipient: who,
    });
  };
  return (
    <Card
      size="small"
      title={
        <span>
          <SearchOutlined /> {t('detection.honeytokens.lookup')}
        </span>
      }
    >
      <Flex vertical gap="small">
        <Typography.Text type="secondary">{t('detection.honeytokens.lookupHint')}</Typography.Text>
        <Input.Search
          style={{ maxWidth: 480 }}
          placeholder={t('detection.honeytokens.lookupPlaceholder')}
          enterButton={t('detection.honeytokens.lookupButton')}
          loading={lookup.isPending}
          autoComplete="off"
          data-testid="honeytoken-lookup"
          onSearch={(value) => value.trim().length >= 4 && lookup.mutate(value.trim())}
        />
        {lookup.error && <Alert type="error" showIcon title={problemMessage(lookup.error)} />}
        {lookup.data &&
          (lookup.data.items.length === 0 ? (
            <Alert type="info" title={t('detection.honeytokens.noMatch')} />
          ) : (
            lookup.data.items.map((match) => (
              <Alert
                key={match.honeytoken.id}
                type="error"
                showIcon
                title={describe(match)}
                data-testid="honeytoken-match"
              />
            ))
          ))}
      </Flex>
    </Card>
  );
}

function PlantModal({
  onClose,
  onPlanted,
}: {
  onClose: () => void;
  onPlanted: (planted: PlantedHoneytoken) => void;
}) {
  const { t } = useTranslation();
  const branchLabel = useBranchLabel();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const { users } = useStaffNames();
  const [form] = Form.useForm<PlantForm>();
  const kind = Form.useWatch('kind', form) ?? 'claim';
  const recipientKind = Form.useWatch('recipientKind', form) ?? 'staff';
  const plant = useMutation({
    mutationFn: plantHoneytoken,
    onSuccess: (planted) => {
      void queryClient.invalidateQueries({ queryKey: detectionKeys.honeytokens });
      onPlanted(planted);
    },
    onError: (error) => void message.error(problemMessage(error)),
  });
  const handlers = users.filter(
    (user) => user.status === 'active' && (user.role === 'adjuster' || user.role === 'surveyor'),
  );
  const submit = (values: PlantForm) => {
    const recipient: PlantRequest['recipient'] =
      values.recipientKind === 'staff'
        ? { kind: 'staff', userId: values.userId as string }
        : values.recipientKind === 'external'
          ? { kind: 'external', label: values.label as string, partyKind: values.partyKind as string }
          : { kind: 'none' };
    plant.mutate({
      kind: values.kind,
      recipient,
      ...(values.productLine ? { productLine: values.productLine } : {}),
      ...(values.branch ? { branch: values.branch } : {}),
      ...(values.note ? { note: values.note } : {}),
    });
  };
  return (
    <Modal
      open
      title={t('detection.honeytokens.plantTitle')}
      okText={t('detection.honeytokens.plant')}
      okButtonProps={{ loading: plant.isPending }}
      onCancel={onClose}
      onOk={() => form.validateFields().then(submit)}
      destroyOnHidden
    >
      <Form<PlantForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ kind: 'claim', recipientKind: 'staff', productLine: 'motor' }}
      >
        <Form.Item name="kind" label={t('detection.honeytokens.kind')}>
          <Radio.Group
            options={(['claim', 'customer'] as const).map((value) => ({
              value,
              label: t(`detection.honeytokens.kinds.${value}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="recipientKind" label={t('detection.honeytokens.recipient')}>
          <Radio.Group
            options={(['staff', 'external', 'none'] as const)
              .filter((value) => !(kind === 'claim' && value === 'none'))
              .filter((value) => !(kind === 'customer' && value === 'staff'))
              .map((value) => ({ value, label: t(`detection.honeytokens.recipientKinds.${value}`) }))}
          />
        </Form.Item>
        {recipientKind === 'staff' && kind === 'claim' && (
          <Form.Item name="userId" label={t('detection.honeytokens.handler')} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={handlers.map((user) => ({
                value: user.id,
                label: `${user.displayName} (${user.username}) · ${branchLabel(user.branch)}`,
              }))}
            />
          </Form.Item>
        )}
        {recipientKind === 'external' && (
          <Flex gap="small">
            <Form.Item
              name="label"
              label={t('detection.honeytokens.partyName')}
              rules={[{ required: true, max: 200 }]}
              style={{ flex: 1 }}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item
              name="partyKind"
              label={t('detection.honeytokens.partyKind')}
              rules={[{ required: true }]}
            >
              <Select
                style={{ width: 140 }}
                options={PARTY_KINDS.map((value) => ({
                  value,
                  label: t(`detection.honeytokens.partyKinds.${value}`),
                }))}
              />
            </Form.Item>
          </Flex>
        )}
        {kind === 'claim' && (
          <Form.Item name="productLine" label={t('detection.honeytokens.productLine')}>
            <Select options={PRODUCT_LINES.map((value) => ({ value, label: value }))} />
          </Form.Item>
        )}
        {recipientKind !== 'staff' && (
          <Form.Item name="branch" label={t('detection.honeytokens.branch')} rules={[{ max: 50 }]}>
            <Input maxLength={50} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('detection.honeytokens.note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
