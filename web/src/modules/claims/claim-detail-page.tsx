import {
  ArrowLeftOutlined,
  EyeOutlined,
  HistoryOutlined,
  LockOutlined,
  ProfileOutlined,
  ReloadOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Steps,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiProblem } from '../../api/api-client';
import { useBranchLabel } from '../../app/branch-label';
import { formatDateTime } from '../../app/format-date';
import { routePaths } from '../../app/route-paths';
import { useLanguage } from '../../i18n/language-provider';
import { can } from '../auth/permissions';
import { useProblemMessage } from '../auth/problem-messages';
import { useRoleLabels } from '../auth/role-labels';
import { useMe } from '../auth/use-me';
import { PayoutCard } from '../payouts/payout-card';
import { ClaimDocumentsCard } from './claim-documents-card';
import { formatAmount, formatIsoDate, lifecycleProgress, mergeReveals, withRevealed } from './claim-format';
import { ClaimStateTag, useClaimLabels } from './claim-labels';
import { ClaimRevealDialog } from './claim-reveal-dialog';
import { ClaimSharesCard } from './claim-shares-card';
import {
  addClaimNote,
  assignClaim,
  type ClaimDetail,
  type ClaimHandler,
  type ClaimHandlers,
  type ClaimState,
  CUSTOMER_FIELDS,
  claimHandlersQueryOptions,
  claimQueryKey,
  claimQueryOptions,
  isClaimState,
  MAIN_PATH,
  type Maskable,
  type RevealableField,
  transitionClaim,
} from './claims-api';

/** A personal value with whether it is shown masked or was revealed (revealing is audited). */
function MaskedValue({ value, testId }: { value: Maskable | undefined; testId?: string }) {
  const { t } = useTranslation();
  if (!value) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={6} wrap data-testid={testId}>
      <Typography.Text>{value.value}</Typography.Text>
      {value.masked ? (
        <Tag icon={<LockOutlined />} variant="filled">
          {t('claims.claimant.masked')}
        </Tag>
      ) : (
        <Tag icon={<EyeOutlined />} color="warning">
          {t('claims.claimant.revealed')}
        </Tag>
      )}
    </Space>
  );
}

/** One claim (S0.1, S3.2): overview, claimant (masked, reveal with a purpose), lifecycle, work on it. */
export function ClaimDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const claim = useQuery(claimQueryOptions(id));
  const [revealed, setRevealed] = useState<ClaimDetail | null>(null);

  if (claim.isPending) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (claim.error) {
    return (
      <Result
        status={isApiProblem(claim.error, 'not-found') ? '404' : 'error'}
        title={t('claims.detail.loadFailed')}
        subTitle={problemMessage(claim.error)}
        extra={
          <Space>
            <Link to={routePaths.claims}>
              <Button icon={<ArrowLeftOutlined />}>{t('claims.detail.back')}</Button>
            </Link>
            <Button type="primary" onClick={() => void claim.refetch()}>
              {t('common.retry')}
            </Button>
          </Space>
        }
      />
    );
  }
  return (
    <ClaimView
      detail={withRevealed(claim.data, revealed)}
      onRevealed={(detail) => setRevealed((before) => mergeReveals(before, detail))}
    />
  );
}

function ClaimView({
  detail,
  onRevealed,
}: {
  detail: ClaimDetail;
  onRevealed: (detail: ClaimDetail) => void;
}) {
  const { t } = useTranslation();
  const branchLabel = useBranchLabel();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const labels = useClaimLabels();
  const { labelOf } = useRoleLabels();
  const { data: me } = useMe();
  const mayUpdate = can(me?.permissions, 'update', 'Claim');
  const mayAssign = can(me?.permissions, 'assign', 'Claim');
  const mayReveal = can(me?.permissions, 'unmask', 'PersonalData');
  // Supervisors see handlers by name (the list they reassign from); others see their own name, else the id.
  const handlers = useQuery({ ...claimHandlersQueryOptions(detail.id), enabled: mayAssign });
  const handlerLabel = (userId: string) => {
    const known = [...(handlers.data?.adjusters ?? []), ...(handlers.data?.surveyors ?? [])].find(
      (handler) => handler.id === userId,
    );
    if (known) return known.displayName;
    if (me?.user.id === userId) return me.user.displayName;
    return <Typography.Text code>{userId}</Typography.Text>;
  };
  const [revealing, setRevealing] = useState<RevealableField[] | null>(null);
  const [reasonFor, setReasonFor] = useState<ClaimState | null>(null);
  const [reasonForm] = Form.useForm<{ reason: string }>();

  const showUpdated = (updated: ClaimDetail) => {
    queryClient.setQueryData(claimQueryKey(detail.id), updated);
    void queryClient.invalidateQueries({ queryKey: ['claims', 'list'] });
  };

  const transition = useMutation({
    mutationFn: (input: { to: ClaimState; reason: string | null }) =>
      transitionClaim(detail.id, { ...input, version: detail.version }),
    onSuccess: (updated) => {
      showUpdated(updated);
      setReasonFor(null);
      void message.success(t('claims.transitions.done', { state: labels.state(updated.state) }));
    },
  });

  const reload = () => {
    transition.reset();
    void queryClient.invalidateQueries({ queryKey: claimQueryKey(detail.id) });
  };

  const progress = lifecycleProgress(detail.state, detail.timeline);
  // Staff by their role; a customer (portal), the system or an outside party by kind (the roles list
  // holds staff roles only, so a customer's role would otherwise show as the code `customer`).
  const rolesOrType = (role: string | null, type: string) =>
    role && type !== 'customer' ? labelOf(role) || role : labels.actorType(type);
  const stateName = (state: string | null) => (state && isClaimState(state) ? labels.state(state) : state);

  return (
    <Flex vertical gap="middle">
      <Link to={routePaths.claims}>
        <Space size={4}>
          <ArrowLeftOutlined />
          {t('claims.detail.back')}
        </Space>
      </Link>

      <Flex justify="space-between" align="flex-start" wrap gap="middle">
        <Flex vertical gap={4}>
          <Space size="middle" wrap align="center">
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="claim-number">
              {detail.number}
            </Typography.Title>
            <ClaimStateTag state={detail.state} testId="claim-state" />
            <Tag>{labels.productLine(detail.productLine)}</Tag>
          </Space>
          <Typography.Text type="secondary">
            {t('claims.detail.policyNumber')} {detail.policy.number} ·{' '}
            {t('claims.detail.period', {
              from: formatIsoDate(detail.policy.startsOn, language),
              to: formatIsoDate(detail.policy.endsOn, language),
            })}{' '}
            · {t('claims.detail.sumInsured')}{' '}
            {formatAmount(detail.policy.sumInsured, language, detail.policy.currency)}
          </Typography.Text>
        </Flex>
        {mayUpdate && (
          <Space wrap data-testid="claim-transitions">
            {detail.allowedTransitions.map((allowed) => (
              <Button
                key={allowed.to}
                type={allowed.reasonRequired ? 'default' : 'primary'}
                danger={allowed.to === 'rejected' || allowed.to === 'withdrawn'}
                loading={transition.isPending && transition.variables?.to === allowed.to}
                onClick={() => {
                  transition.reset();
                  if (allowed.reasonRequired) {
                    reasonForm.resetFields();
                    setReasonFor(allowed.to);
                  } else {
                    transition.mutate({ to: allowed.to, reason: null });
                  }
                }}
                data-testid={`transition-${allowed.to}`}
              >
                {t('claims.transitions.to', { state: labels.state(allowed.to) })}
              </Button>
            ))}
          </Space>
        )}
      </Flex>

      {transition.error && reasonFor === null && (
        <Alert
          type="error"
          showIcon
          title={problemMessage(transition.error)}
          data-testid="transition-error"
          action={
            isApiProblem(transition.error, 'stale-version') ? (
              <Button size="small" icon={<ReloadOutlined />} onClick={reload}>
                {t('claims.transitions.reload')}
              </Button>
            ) : undefined
          }
          closable={{ onClose: () => transition.reset() }}
        />
      )}

      <Card size="small" title={t('claims.lifecycle.title')}>
        <Flex vertical gap="small">
          <Steps
            size="small"
            current={progress.current}
            status={progress.status}
            items={MAIN_PATH.map((state) => ({ title: labels.state(state) }))}
            data-testid="claim-steps"
          />
          {progress.offPath && (
            <Alert
              type={progress.offPath === 'reopened' ? 'info' : 'warning'}
              showIcon
              title={t('claims.lifecycle.offPath', { state: labels.state(progress.offPath) })}
              description={detail.resolutionReason ?? undefined}
            />
          )}
        </Flex>
      </Card>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Flex vertical gap="middle">
            <Card
              size="small"
              title={
                <span>
                  <ProfileOutlined /> {t('claims.detail.overview')}
                </span>
              }
            >
              <Descriptions size="small" column={{ xs: 1, sm: 2 }} data-testid="claim-overview">
                <Descriptions.Item label={t('claims.detail.policyNumber')}>
                  <Typography.Text code>{detail.policy.number}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.productLine')}>
                  {labels.productLine(detail.policy.productLine)}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.policyPeriod')}>
                  {t('claims.detail.period', {
                    from: formatIsoDate(detail.policy.startsOn, language),
                    to: formatIsoDate(detail.policy.endsOn, language),
                  })}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.sumInsured')}>
                  {formatAmount(detail.policy.sumInsured, language, detail.policy.currency)}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.incidentDate')}>
                  {formatIsoDate(detail.incidentDate, language)}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.amountClaimed')}>
                  {formatAmount(detail.amountClaimed, language, detail.policy.currency) || '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.branch')}>
                  {branchLabel(detail.branch)}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.channel')}>
                  {labels.channel(detail.channel)}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.verification')}>
                  <Tag>{labels.verification(detail.verification)}</Tag>
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.detail.reportedAt')}>
                  {formatDateTime(detail.reportedAt, language)}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.assignment.assignee')}>
                  <span data-testid="claim-assignee">
                    {detail.assigneeId ? handlerLabel(detail.assigneeId) : t('claims.assignment.unassigned')}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.assignment.surveyor')}>
                  <span data-testid="claim-surveyor">
                    {detail.surveyorId ? handlerLabel(detail.surveyorId) : t('claims.assignment.unassigned')}
                  </span>
                </Descriptions.Item>
                {detail.closedAt && (
                  <Descriptions.Item label={t('claims.detail.closedAt')}>
                    {formatDateTime(detail.closedAt, language)}
                  </Descriptions.Item>
                )}
                {detail.resolutionReason && (
                  <Descriptions.Item label={t('claims.detail.resolutionReason')} span={2}>
                    {detail.resolutionReason}
                  </Descriptions.Item>
                )}
              </Descriptions>
            </Card>

            <PayoutCard detail={detail} />

            <Card
              size="small"
              title={
                <span>
                  <UserOutlined /> {t('claims.claimant.title')}
                </span>
              }
              extra={
                mayReveal && (
                  <Button
                    size="small"
                    icon={<EyeOutlined />}
                    onClick={() => setRevealing(['claimant.idNumber'])}
                    data-testid="claimant-reveal"
                  >
                    {t('claims.claimant.reveal')}
                  </Button>
                )
              }
            >
              <Descriptions size="small" column={1} data-testid="claimant-fields">
                <Descriptions.Item label={t('claims.claimant.idType')}>
                  {labels.idType(detail.claimant.idType)}
                </Descriptions.Item>
                {CUSTOMER_FIELDS.map((field) => (
                  <Descriptions.Item key={field} label={t(`claims.claimant.fields.${field}`)}>
                    <MaskedValue value={detail.claimant.fields[field]} testId={`claimant-${field}`} />
                  </Descriptions.Item>
                ))}
              </Descriptions>
            </Card>

            <Card
              size="small"
              title={t('claims.incident.title')}
              extra={
                mayReveal && (
                  <Button
                    size="small"
                    icon={<EyeOutlined />}
                    onClick={() => setRevealing(['description', 'incidentLocation'])}
                  >
                    {t('claims.claimant.reveal')}
                  </Button>
                )
              }
            >
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('claims.incident.description')}>
                  {detail.description ? (
                    <MaskedValue value={detail.description} testId="claim-description" />
                  ) : (
                    <Typography.Text type="secondary">{t('claims.incident.notGiven')}</Typography.Text>
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('claims.incident.location')}>
                  {detail.incidentLocation ? (
                    <MaskedValue value={detail.incidentLocation} />
                  ) : (
                    <Typography.Text type="secondary">{t('claims.incident.notGiven')}</Typography.Text>
                  )}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          </Flex>
        </Col>

        <Col xs={24} xl={10}>
          <Flex vertical gap="middle">
            <Card
              size="small"
              title={
                <span>
                  <HistoryOutlined /> {t('claims.lifecycle.timeline')}
                </span>
              }
            >
              <Timeline
                data-testid="claim-timeline"
                items={detail.timeline.map((entry, index) => ({
                  key: `${entry.at}-${index}`,
                  color: timelineColour(entry.to),
                  content: (
                    <Flex vertical gap={2}>
                      <Typography.Text strong>
                        {entry.from
                          ? t('claims.lifecycle.moved', {
                              from: stateName(entry.from),
                              to: stateName(entry.to),
                            })
                          : t('claims.lifecycle.created')}
                      </Typography.Text>
                      <Typography.Text type="secondary">
                        {formatDateTime(entry.at, language)} · {rolesOrType(entry.actorRole, entry.actorType)}
                      </Typography.Text>
                      {entry.reason && (
                        <Typography.Text>
                          {t('claims.lifecycle.reason', { reason: entry.reason })}
                        </Typography.Text>
                      )}
                    </Flex>
                  ),
                }))}
              />
            </Card>

            {mayAssign && <AssignmentCard detail={detail} handlers={handlers.data} onUpdated={showUpdated} />}

            <NotesCard
              detail={detail}
              mayAdd={mayUpdate}
              mayReveal={mayReveal}
              onReveal={() => setRevealing(['notes'])}
              roleLabel={rolesOrType}
            />
          </Flex>
        </Col>
      </Row>

      <ClaimDocumentsCard claimId={detail.id} mayUpload={mayUpdate} />

      <ClaimSharesCard claimId={detail.id} mayShare={mayUpdate} />

      <ClaimRevealDialog
        claimId={detail.id}
        open={revealing !== null}
        initialFields={revealing ?? []}
        onClose={() => setRevealing(null)}
        onRevealed={(revealedDetail) => {
          onRevealed(revealedDetail);
          void message.warning(t('claims.reveal.done'));
        }}
      />

      <Modal
        open={reasonFor !== null}
        title={reasonFor ? t('claims.transitions.reasonTitle', { state: labels.state(reasonFor) }) : ''}
        okText={t('claims.transitions.confirm')}
        cancelText={t('common.cancel')}
        onOk={() => reasonForm.submit()}
        onCancel={() => setReasonFor(null)}
        confirmLoading={transition.isPending}
        destroyOnHidden
      >
        <Form<{ reason: string }>
          form={reasonForm}
          layout="vertical"
          preserve={false}
          onFinish={({ reason }) => reasonFor && transition.mutate({ to: reasonFor, reason: reason.trim() })}
        >
          <Form.Item
            name="reason"
            label={t('claims.transitions.reason')}
            rules={[{ required: true, whitespace: true, message: t('claims.transitions.reasonRequired') }]}
          >
            <Input.TextArea
              rows={4}
              maxLength={1000}
              showCount
              placeholder={t('claims.transitions.reasonPlaceholder')}
              data-testid="transition-reason"
            />
          </Form.Item>
          {transition.error && (
            <Alert
              type="error"
              showIcon
              title={problemMessage(transition.error)}
              action={
                isApiProblem(transition.error, 'stale-version') ? (
                  <Button size="small" icon={<ReloadOutlined />} onClick={reload}>
                    {t('claims.transitions.reload')}
                  </Button>
                ) : undefined
              }
            />
          )}
        </Form>
      </Modal>
    </Flex>
  );
}

/** Timeline dots: green for a paid claim, red for a rejection, grey for a withdrawal, blue for the rest. */
function timelineColour(state: string): string {
  if (state === 'closed') return 'green';
  if (state === 'rejected') return 'red';
  if (state === 'withdrawn') return 'gray';
  return 'blue';
}

function AssignmentCard({
  detail,
  handlers,
  onUpdated,
}: {
  detail: ClaimDetail;
  handlers: ClaimHandlers | undefined;
  onUpdated: (detail: ClaimDetail) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ assigneeId?: string; surveyorId?: string }>();
  const assign = useMutation({
    mutationFn: (input: { assigneeId?: string; surveyorId?: string }) =>
      assignClaim(detail.id, { ...input, version: detail.version }),
    onSuccess: (updated) => {
      onUpdated(updated);
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: claimHandlersQueryOptions(detail.id).queryKey });
      void message.success(t('claims.assignment.done'));
    },
  });
  // The branch's active handlers, skilled and least busy first (the order assignment by rule uses).
  const options = (list: ClaimHandler[] | undefined, current: string | null) =>
    (list ?? []).map((handler) => ({
      value: handler.id,
      label: [
        handler.displayName,
        t('claims.assignment.openClaims', { count: handler.openClaims }),
        handler.skilled ? null : t('claims.assignment.notSkilled'),
        handler.id === current ? t('claims.assignment.current') : null,
      ]
        .filter(Boolean)
        .join(' · '),
    }));

  return (
    <Card
      size="small"
      title={
        <span>
          <TeamOutlined /> {t('claims.assignment.title')}
        </span>
      }
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(values) => {
          const input = {
            ...(values.assigneeId && values.assigneeId !== detail.assigneeId
              ? { assigneeId: values.assigneeId }
              : {}),
            ...(values.surveyorId && values.surveyorId !== detail.surveyorId
              ? { surveyorId: values.surveyorId }
              : {}),
          };
          if (Object.keys(input).length === 0) {
            void message.info(t('claims.assignment.nothing'));
            return;
          }
          assign.mutate(input);
        }}
      >
        <Typography.Paragraph type="secondary">{t('claims.assignment.hint')}</Typography.Paragraph>
        {(
          [
            ['assigneeId', 'assignee', 'adjuster', handlers?.adjusters, detail.assigneeId],
            ['surveyorId', 'surveyor', 'surveyor', handlers?.surveyors, detail.surveyorId],
          ] as const
        ).map(([name, label, testId, list, current]) => (
          <Form.Item key={name} name={name} label={t(`claims.assignment.${label}`)}>
            <Select
              allowClear
              data-testid={`assignment-${testId}`}
              loading={!handlers}
              options={options(list, current)}
              placeholder={t('claims.assignment.choose')}
            />
          </Form.Item>
        ))}
        {assign.error && (
          <Alert type="error" showIcon title={problemMessage(assign.error)} style={{ marginBottom: 12 }} />
        )}
        <Button htmlType="submit" loading={assign.isPending} data-testid="assignment-save">
          {t('claims.assignment.save')}
        </Button>
      </Form>
    </Card>
  );
}

function NotesCard({
  detail,
  mayAdd,
  mayReveal,
  onReveal,
  roleLabel,
}: {
  detail: ClaimDetail;
  mayAdd: boolean;
  mayReveal: boolean;
  onReveal: () => void;
  roleLabel: (role: string | null, type: string) => ReactNode;
}) {
  const { t } = useTranslation();
  const { language } = useLanguage();
  const { message } = App.useApp();
  const problemMessage = useProblemMessage();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ body: string }>();
  const add = useMutation({
    mutationFn: (body: string) => addClaimNote(detail.id, body),
    onSuccess: () => {
      form.resetFields();
      void message.success(t('claims.notes.done'));
      void queryClient.invalidateQueries({ queryKey: claimQueryKey(detail.id) });
    },
  });
  const anyMasked = detail.notes.some((note) => note.body?.masked);

  return (
    <Card
      size="small"
      title={t('claims.notes.title')}
      extra={
        mayReveal &&
        anyMasked && (
          <Button size="small" icon={<EyeOutlined />} onClick={onReveal}>
            {t('claims.claimant.reveal')}
          </Button>
        )
      }
    >
      {detail.notes.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('claims.notes.empty')} />
      ) : (
        <List
          size="small"
          dataSource={detail.notes}
          data-testid="claim-notes"
          renderItem={(note) => (
            <List.Item key={note.id}>
              <Flex vertical gap={2} style={{ width: '100%' }}>
                <Typography.Text type="secondary">
                  {formatDateTime(note.createdAt, language)} · {roleLabel(note.authorRole, 'staff')}
                </Typography.Text>
                <MaskedValue value={note.body} />
              </Flex>
            </List.Item>
          )}
        />
      )}
      {mayAdd && (
        <Form form={form} onFinish={({ body }) => add.mutate(body.trim())} style={{ marginTop: 12 }}>
          <Form.Item name="body" rules={[{ required: true, whitespace: true, message: '' }]}>
            <Input.TextArea rows={2} maxLength={4000} placeholder={t('claims.notes.placeholder')} />
          </Form.Item>
          {add.error && (
            <Alert type="error" showIcon title={problemMessage(add.error)} style={{ marginBottom: 12 }} />
          )}
          <Button htmlType="submit" loading={add.isPending}>
            {t('claims.notes.add')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
