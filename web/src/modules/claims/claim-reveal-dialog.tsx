import { EyeOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Checkbox, Form, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useProblemMessage } from '../auth/problem-messages';
import { type ClaimDetail, REVEALABLE_FIELDS, type RevealableField, revealClaim } from './claims-api';
import { DEFAULT_PURPOSE, usePurposeOptions } from './use-purposes';

type RevealFormValues = { fields: RevealableField[]; purpose: string };

/**
 * Asks which fields to unmask and why, then `POST /claims/:id/reveal`. The server checks the purpose
 * against the catalogue, wants a second factor from the last five minutes (the API client's step-up
 * modal answers that) and audits the reveal; the answer is the claim with those fields unmasked.
 */
export function ClaimRevealDialog({
  claimId,
  open,
  initialFields,
  onClose,
  onRevealed,
}: {
  claimId: string;
  open: boolean;
  initialFields: RevealableField[];
  onClose: () => void;
  onRevealed: (detail: ClaimDetail) => void;
}) {
  const { t } = useTranslation();
  const problemMessage = useProblemMessage();
  const purposes = usePurposeOptions();
  const [form] = Form.useForm<RevealFormValues>();
  const reveal = useMutation({
    mutationFn: (values: RevealFormValues) => revealClaim(claimId, values.fields, values.purpose),
    onSuccess: (detail) => {
      onRevealed(detail);
      onClose();
    },
  });

  return (
    <Modal
      open={open}
      title={
        <span>
          <EyeOutlined /> {t('claims.reveal.title')}
        </span>
      }
      okText={t('claims.reveal.submit')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={reveal.isPending}
      destroyOnHidden
      afterOpenChange={(visible) => {
        if (visible) reveal.reset();
      }}
      okButtonProps={{ 'data-testid': 'reveal-submit' }}
    >
      <Form<RevealFormValues>
        form={form}
        layout="vertical"
        initialValues={{ fields: initialFields, purpose: DEFAULT_PURPOSE }}
        onFinish={(values) => reveal.mutate(values)}
        data-testid="reveal-form"
        preserve={false}
      >
        <Alert type="warning" showIcon title={t('claims.reveal.auditWarning')} style={{ marginBottom: 16 }} />
        <Form.Item
          name="fields"
          label={t('claims.reveal.fields')}
          rules={[{ required: true, type: 'array', min: 1, message: t('claims.reveal.fieldsRequired') }]}
        >
          <Checkbox.Group
            style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', rowGap: 8 }}
            options={REVEALABLE_FIELDS.map((field) => ({
              value: field,
              label: t(`claims.reveal.fieldLabels.${field}`),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="purpose"
          label={t('claims.reveal.purpose')}
          rules={[{ required: true, message: t('claims.reveal.purposeRequired') }]}
        >
          <Select
            options={purposes.options}
            loading={purposes.loading}
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="reveal-purpose"
          />
        </Form.Item>
        {reveal.error && <Alert type="error" showIcon title={problemMessage(reveal.error)} />}
      </Form>
    </Modal>
  );
}
