"""clients, their contracts and bank accounts; works' ownership evidence and verification;
licence defences

A client becomes a complete record (legal form, contact, address, tax status and VAT ID, the
signed mandate); its terms live in `client_contract` rows (a change is a new row; a case keeps
the one it was opened under, `case.contract_id`); payouts go to a `bank_account` that a second
person confirmed. A work gains what its file says (EXIF, size, perceptual hash), its ownership
evidence, licence sales and a verification status; `work_conflict` records the same image in
two clients' portfolios; `licence_defence` a recipient's licence.

Existing clients get the default contract (70% out of court, 50% in court) from the day they
were added, and their cases are tied to it; existing works start unverified.

Revision ID: a7c3e9f1b2d4
Revises: f2c9d8e4a6b1
Create Date: 2026-12-02 04:19:46.062991
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9f1b2d4'
down_revision = 'f2c9d8e4a6b1'
branch_labels = None
depends_on = None


OPEN = "stage <> 'closed'"


def _queue_indexes() -> None:
    """As migration 7c4e9d2a1b30 made them (a copy of the case table on SQLite loses them)."""
    value_key = sa.text('coalesce(expected_value_eur_minor, -1000000000000000000) DESC')
    op.execute('DROP INDEX IF EXISTS ix_case_queue_mine')
    op.execute('DROP INDEX IF EXISTS ix_case_queue_unassigned')
    op.create_index('ix_case_queue_mine', 'case', ['assignee_id', 'next_due_on', value_key, 'id'],
                    unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index('ix_case_queue_unassigned', 'case', ['next_due_on', value_key, 'id'], unique=False,
                    postgresql_where=sa.text(f"{OPEN} AND assignee_id IS NULL"),
                    sqlite_where=sa.text(f"{OPEN} AND assignee_id IS NULL"))


def upgrade() -> None:
    op.create_table('bank_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=70), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'active', 'replaced', 'rejected')", name=op.f('ck_bank_account_status')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_bank_account_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id'], name=op.f('fk_bank_account_decided_by_id_ab_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['ab_user.id'], name=op.f('fk_bank_account_requested_by_id_ab_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_account'))
    )
    with op.batch_alter_table('bank_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_account_client_id'), ['client_id'], unique=False)
        batch_op.create_index('uq_bank_account_one_pending', ['client_id'], unique=True,
                              postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.create_table('client_contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('share_out_of_court_bp', sa.Integer(), nullable=False),
    sa.Column('share_in_court_bp', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('minimum_payout_minor', sa.BigInteger(), nullable=False),
    sa.Column('settlement_floor_bp', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minimum_payout_minor >= 0', name=op.f('ck_client_contract_minimum_payout')),
    sa.CheckConstraint('settlement_floor_bp BETWEEN 0 AND 10000', name=op.f('ck_client_contract_settlement_floor')),
    sa.CheckConstraint('share_in_court_bp BETWEEN 0 AND 10000', name=op.f('ck_client_contract_share_in_court')),
    sa.CheckConstraint('share_out_of_court_bp BETWEEN 0 AND 10000', name=op.f('ck_client_contract_share_out_of_court')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_contract_client_id_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_contract'))
    )
    with op.batch_alter_table('client_contract', schema=None) as batch_op:
        batch_op.create_index('ix_client_contract_client_starts', ['client_id', 'starts_at'], unique=False)

    op.create_table('licence_sale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('licensee', sa.String(length=200), nullable=False),
    sa.Column('usage', sa.String(length=300), nullable=False),
    sa.Column('price_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_licence_sale_price')),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], name=op.f('fk_licence_sale_work_id_work'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_sale'))
    )
    with op.batch_alter_table('licence_sale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_sale_work_id'), ['work_id'], unique=False)

    op.create_table('work_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('other_work_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('work_id <> other_work_id', name=op.f('ck_work_conflict_two_works')),
    sa.ForeignKeyConstraint(['other_work_id'], ['work.id'], name=op.f('fk_work_conflict_other_work_id_work'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], name=op.f('fk_work_conflict_work_id_work'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_conflict'))
    )
    with op.batch_alter_table('work_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_conflict_other_work_id'), ['other_work_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_conflict_work_id'), ['work_id'], unique=False)
        batch_op.create_index('uq_work_conflict_pair', ['work_id', 'other_work_id'], unique=True)

    op.create_table('licence_defence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'accepted', 'rejected')", name=op.f('ck_licence_defence_status')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_licence_defence_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_id'], ['work.id'], name=op.f('fk_licence_defence_work_id_work'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_defence'))
    )
    with op.batch_alter_table('licence_defence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_defence_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_contract_id'), ['contract_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_contract_id_client_contract'), 'client_contract', ['contract_id'], ['id'], ondelete='RESTRICT')
    if op.get_bind().dialect.name == 'sqlite':
        _queue_indexes()

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_form', sa.String(length=10), server_default='person', nullable=False))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('street', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('postcode', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('tax_status', sa.String(length=20), server_default='private', nullable=False))
        batch_op.add_column(sa.Column('vat_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('mandate_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mandate_filename', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('mandate_signed_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_client_legal_form'), "legal_form IN ('person', 'company')")
        batch_op.create_check_constraint(op.f('ck_client_tax_status'),
                                         "tax_status IN ('private', 'small_business', 'standard')")

    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_size', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('phash', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('camera', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('artist', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('copyright_notice', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('original_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('original_filename', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('first_published_url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('first_published_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('publication_country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('us_registration_number', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('us_registered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('us_applied_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('agencies', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='unverified', nullable=False))
        batch_op.add_column(sa.Column('status_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('status_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('status_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_work_phash'), ['phash'], unique=False)
        batch_op.create_check_constraint(op.f('ck_work_status'),
                                         "status IN ('unverified', 'verified', 'disputed')")
    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)

    # Every existing client works under the default contract from the day it was added; its
    # cases were opened under it.
    op.execute("INSERT INTO client_contract (client_id, starts_at, share_out_of_court_bp, share_in_court_bp, "
               "currency, minimum_payout_minor, settlement_floor_bp, note, created_by, created_at, updated_at) "
               "SELECT id, created_at, 7000, 5000, 'EUR', 0, 10000, 'The default terms (migration).', "
               "'system', created_at, created_at FROM client")
    op.execute('UPDATE "case" SET contract_id = (SELECT c.id FROM client_contract c '
               'WHERE c.client_id = "case".client_id)')



def downgrade() -> None:
    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_work_status'), type_='check')
        batch_op.drop_index(batch_op.f('ix_work_phash'))
        batch_op.drop_column('version')
        batch_op.drop_column('status_at')
        batch_op.drop_column('status_by')
        batch_op.drop_column('status_reason')
        batch_op.drop_column('status')
        batch_op.drop_column('agencies')
        batch_op.drop_column('us_applied_on')
        batch_op.drop_column('us_registered_on')
        batch_op.drop_column('us_registration_number')
        batch_op.drop_column('publication_country')
        batch_op.drop_column('first_published_on')
        batch_op.drop_column('first_published_url')
        batch_op.drop_column('original_filename')
        batch_op.drop_column('original_sha256')
        batch_op.drop_column('copyright_notice')
        batch_op.drop_column('artist')
        batch_op.drop_column('captured_at')
        batch_op.drop_column('camera')
        batch_op.drop_column('phash')
        batch_op.drop_column('file_size')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_client_tax_status'), type_='check')
        batch_op.drop_constraint(op.f('ck_client_legal_form'), type_='check')
        batch_op.drop_column('mandate_signed_on')
        batch_op.drop_column('mandate_filename')
        batch_op.drop_column('mandate_sha256')
        batch_op.drop_column('vat_id')
        batch_op.drop_column('tax_status')
        batch_op.drop_column('city')
        batch_op.drop_column('postcode')
        batch_op.drop_column('street')
        batch_op.drop_column('phone')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('legal_form')

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_contract_id_client_contract'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_contract_id'))
        batch_op.drop_column('contract_id')
    if op.get_bind().dialect.name == 'sqlite':
        _queue_indexes()

    with op.batch_alter_table('licence_defence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_defence_case_id'))

    op.drop_table('licence_defence')
    with op.batch_alter_table('work_conflict', schema=None) as batch_op:
        batch_op.drop_index('uq_work_conflict_pair')
        batch_op.drop_index(batch_op.f('ix_work_conflict_work_id'))
        batch_op.drop_index(batch_op.f('ix_work_conflict_other_work_id'))

    op.drop_table('work_conflict')
    with op.batch_alter_table('licence_sale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_sale_work_id'))

    op.drop_table('licence_sale')
    with op.batch_alter_table('client_contract', schema=None) as batch_op:
        batch_op.drop_index('ix_client_contract_client_starts')

    op.drop_table('client_contract')
    with op.batch_alter_table('bank_account', schema=None) as batch_op:
        batch_op.drop_index('uq_bank_account_one_pending')
        batch_op.drop_index(batch_op.f('ix_bank_account_client_id'))

    op.drop_table('bank_account')
