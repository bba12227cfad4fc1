import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert } from '../../../components/alert';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import type { CampaignAction } from '../../../api/campaigns.api';
import type { Campaign } from '../../../api/campaigns.types';
import { ACTION_LABELS, allowedActions, canChangeDelivery, isEditable } from '../campaign-state';
import { useCampaignAction, useDeleteCampaign } from '../campaigns.hooks';

/**
 * The actions the campaign's state allows; Stop asks first, Clone opens the new draft. `onChanged`
 * runs after an action changed the campaign's state.
 */
export function CampaignActions({ campaign, onChanged }: { campaign: Campaign; onChanged?: () => void }) {
  const act = useCampaignAction();
  const navigate = useNavigate();
  const [confirmStop, setConfirmStop] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useDeleteCampaign();
  function run(action: CampaignAction) {
    act.mutate(
      { id: campaign.id, action },
      {
        onSuccess: (result) => {
          setConfirmStop(false);
          if (action !== 'clone') onChanged?.();
          if (action === 'clone') void navigate(`/campaigns/${result.id}/edit`, { state: { notice: 'Copied into a new draft.' } });
        },
      },
    );
  }
  return (
    <div className="campaign-actions">
      <div className="actions">
        {isEditable(campaign.state) ? (
          <Link className="btn btn--secondary" to={`/campaigns/${campaign.id}/edit`}>
            Edit
          </Link>
        ) : canChangeDelivery(campaign.state) ? (
          <Link className="btn btn--secondary" to={`/campaigns/${campaign.id}/edit`}>
            Change delivery
          </Link>
        ) : null}
        {allowedActions(campaign.state).map((action) => (
          <button
            key={action}
            type="button"
            className={`btn ${action === 'publish' || action === 'resume' ? 'btn--primary' : action === 'stop' ? 'btn--danger-outline' : 'btn--secondary'}`}
            disabled={act.isPending}
            onClick={() => (action === 'stop' ? setConfirmStop(true) : run(action))}
          >
            {act.isPending && act.variables.action === action ? 'Working…' : ACTION_LABELS[action]}
          </button>
        ))}
        {isEditable(campaign.state) ? (
          <button type="button" className="btn btn--danger-outline" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        ) : null}
      </div>
      {act.isError && !confirmStop ? <Alert>{act.error.message}</Alert> : null}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete the draft"
        confirmLabel="Delete draft"
        danger
        busy={remove.isPending}
        error={remove.isError ? remove.error.message : null}
        onCancel={() => {
          remove.reset();
          setConfirmDelete(false);
        }}
        onConfirm={() => remove.mutate(campaign.id, { onSuccess: () => void navigate('/campaigns', { replace: true }) })}
      >
        <p>
          Delete the draft <strong>{campaign.name}</strong>? Nothing was sent yet; this cannot be undone.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirmStop}
        title="Stop the campaign"
        confirmLabel="Stop campaign"
        danger
        busy={act.isPending}
        error={act.isError ? act.error.message : null}
        onCancel={() => {
          act.reset();
          setConfirmStop(false);
        }}
        onConfirm={() => run('stop')}
      >
        <p>
          Stop <strong>{campaign.name}</strong> for good? Messages still queued ({campaign.stats.queued.toLocaleString('en')}) are cancelled; messages already with
          the provider still report their delivery. A stopped campaign cannot be resumed (clone it to send again).
        </p>
      </ConfirmDialog>
    </div>
  );
}
