"""parties: address lookup, commercial check, merging and clearing (issue 18)

party gains what the lookup found (VAT ID, register number, phone), where its postal address
came from (source, URL, when checked), the commercial verdict (score, reasons), a cleared flag
with its note (the party showed a licence) and merged_into_id (a duplicate merged into
another party keeps its row and history). party_address_candidate keeps every address found,
side by side; party_field_source the source of each field about a person (GDPR Art. 14,
15(1)(g)). Follows the evidence captures (f4b6d8e0a2c5).

Revision ID: a5c7e9f1b3d6
Revises: f4b6d8e0a2c5
Create Date: 2026-12-11 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a5c7e9f1b3d6'
down_revision = 'f4b6d8e0a2c5'
branch_labels = None
depends_on = None

SOURCES = "('legal_notice', 'structured_data', 'rdap', 'manual')"


def upgrade() -> None:
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('register_number', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('address_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('address_source_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('address_checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('commercial', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('commercial_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('commercial_reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('cleared', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('cleared_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_party_merged_into_id_party'), 'party', ['merged_into_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_party_commercial'),
                                         "commercial IN ('commercial', 'private', 'unknown')")
        batch_op.create_check_constraint(batch_op.f('ck_party_address_source'), f"address_source IN {SOURCES}")
        batch_op.create_index(batch_op.f('ix_party_vat_id'), ['vat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_register_number'), ['register_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_merged_into_id'), ['merged_into_id'], unique=False)

    op.create_table('party_address_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('vat_id', sa.String(length=20), nullable=True),
    sa.Column('register_number', sa.String(length=80), nullable=True),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chosen', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('evidence_capture_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(f"source IN {SOURCES}", name=op.f('ck_party_address_candidate_source')),
    sa.CheckConstraint('confidence BETWEEN 0 AND 100', name=op.f('ck_party_address_candidate_confidence')),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_party_address_candidate_party_id_party'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_address_candidate'))
    )
    with op.batch_alter_table('party_address_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_address_candidate_party_id'), ['party_id'], unique=False)

    op.create_table('party_field_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_party_field_source_party_id_party'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_field_source'))
    )
    with op.batch_alter_table('party_field_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_field_source_party_id'), ['party_id'], unique=False)


def downgrade() -> None:
    op.drop_table('party_field_source')
    op.drop_table('party_address_candidate')
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_party_register_number'))
        batch_op.drop_index(batch_op.f('ix_party_vat_id'))
        batch_op.drop_constraint(batch_op.f('ck_party_address_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_party_commercial'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_party_merged_into_id_party'), type_='foreignkey')
        for column in ('merged_into_id', 'cleared_note', 'cleared', 'commercial_reasons', 'commercial_score',
                       'commercial', 'address_checked_at', 'address_source_url', 'address_source', 'phone',
                       'register_number', 'vat_id'):
            batch_op.drop_column(column)
